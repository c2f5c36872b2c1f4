// Command epic-events is the Epic Events CRM: a full-screen terminal
// application for clients, contracts and events, run locally against an
// embedded SQLite database or served over SSH against PostgreSQL.
//
// The commands and their wiring live in package cli; the product lives in
// the domain, store, auth and tui packages.
package main

import (
	"os"

	"github.com/epic-events/crm/cli"
)

func main() { os.Exit(cli.Execute()) }
