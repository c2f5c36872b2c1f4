package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// newUserForm creates (u == nil) or edits a collaborator, role included.
// A new collaborator gets an initial password typed twice; the service
// applies the password policy and its message shows under the field.
func newUserForm(e *env, u *domain.User) Screen {
	var cur domain.User
	spec := formSpec{title: "New collaborator", kind: "user"}
	if u != nil {
		cur = *u
		spec.title = "Edit collaborator " + domain.StripControl(u.FullName)
		spec.note = "changing the role logs them out at their next action"
	}
	roles := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		roles[i] = string(r)
	}
	role := string(cur.Role)
	if role == "" {
		role = string(domain.RoleSales)
	}
	empNo := newField("employee_no", "Employee no", fieldText, cur.EmployeeNo)
	empNo.hint = "e.g. EE-0042 · left empty, one is generated"
	fields := []*formField{
		empNo,
		newField("full_name", "Full name", fieldText, cur.FullName),
		newField("email", "Email", fieldText, cur.Email),
		newField("phone", "Phone", fieldText, cur.Phone),
		newChoice("role", "Role", roles, role),
	}
	if u == nil {
		fields = append(fields, passwordFields()...)
	} else {
		id := u.ID
		spec.reload = reloadRecord(func(ctx context.Context, svc *domain.Services, sess *domain.Session) (domain.User, error) {
			return svc.Users.Get(ctx, sess, id)
		}, func(got domain.User, _ *time.Location) (int64, map[string]string) {
			return got.Version, map[string]string{
				"employee_no": got.EmployeeNo, "full_name": got.FullName, "email": got.Email,
				"phone": got.Phone, "role": string(got.Role),
			}
		})
	}
	spec.save = func(f *formScreen) (tea.Cmd, map[string]string) {
		in := domain.UserInput{EmployeeNo: f.get("employee_no"), FullName: f.get("full_name"),
			Email: f.get("email"), Phone: f.get("phone"), Role: domain.Role(f.get("role"))}
		pw := f.get("password")
		if u == nil {
			if errs := checkRepeat(f); errs != nil {
				return nil, errs
			}
		}
		return saveRecord(f, func(ctx context.Context, svc *domain.Services, sess *domain.Session, version int64) (domain.User, error) {
			if u == nil {
				return svc.Users.Create(ctx, sess, in, pw)
			}
			return svc.Users.Update(ctx, sess, u.ID, version, in)
		}, func(got domain.User) (int64, string) {
			return got.ID, "collaborator " + domain.StripControl(got.FullName) + " saved"
		}), nil
	}
	return newFormScreen(e, spec, cur.Version, fields...)
}

// newPasswordForm sets a new password for u (management's reset).
func newPasswordForm(e *env, u domain.User) Screen {
	spec := formSpec{
		title: "New password for " + domain.StripControl(u.FullName),
		note:  "they will have to log in again with it",
		kind:  "password",
	}
	id, name := u.ID, u.FullName
	spec.save = func(f *formScreen) (tea.Cmd, map[string]string) {
		if errs := checkRepeat(f); errs != nil {
			return nil, errs
		}
		svc, sess, pw := f.e.svc, f.e.sess, f.get("password")
		return func() tea.Msg {
			ctx, cancel := callCtx()
			defer cancel()
			err := svc.Users.ResetPassword(ctx, sess, id, pw)
			return formSavedMsg{id: id, err: err, text: "password of " + domain.StripControl(name) + " changed"}
		}, nil
	}
	return newFormScreen(e, spec, u.Version, passwordFields()...)
}

func passwordFields() []*formField {
	pw := newField("password", "Password", fieldPassword, "")
	pw.hint = "15 to 128 characters, not a common password, not the email"
	rep := newField("password_repeat", "Repeat", fieldPassword, "")
	return []*formField{pw, rep}
}

// checkRepeat compares the two password fields before anything is sent.
func checkRepeat(f *formScreen) map[string]string {
	pw, rep := f.get("password"), f.get("password_repeat")
	switch {
	case pw == "":
		return map[string]string{"password": "enter a password"}
	case rep != pw:
		return map[string]string{"password_repeat": "the two passwords differ: type the same one twice"}
	}
	return nil
}
