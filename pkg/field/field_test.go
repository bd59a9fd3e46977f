package field

import (
	"errors"
	"slices"
	"testing"
)

func TestViolationsReportEveryFieldInOrder(t *testing.T) {
	var v Violations
	if v.Err() != nil || v.Len() != 0 {
		t.Fatal("no violations must be no error")
	}
	v.Add("article.title", "is required")
	v.Add("article.date", "%q is not a date", "2024-13-01")
	if v.Len() != 2 || !slices.Equal(v.Fields(), []string{"article.title", "article.date"}) {
		t.Fatalf("fields = %v", v.Fields())
	}
	err := v.Err()
	var fe *Error
	if !errors.As(err, &fe) || len(fe.Violations) != 2 {
		t.Fatalf("err = %#v", err)
	}
	if fe.Violations[1].Description != `"2024-13-01" is not a date` {
		t.Errorf("description = %q", fe.Violations[1].Description)
	}
	want := `invalid request: article.title: is required; article.date: "2024-13-01" is not a date`
	if err.Error() != want {
		t.Errorf("message = %q", err.Error())
	}
	v.Add("later", "x")
	if len(fe.Violations) != 2 {
		t.Error("an error must not change when the collector goes on")
	}
}

func TestInvalidIsOneViolation(t *testing.T) {
	var fe *Error
	if !errors.As(Invalid("id", "is required"), &fe) || len(fe.Violations) != 1 || fe.Violations[0].Field != "id" {
		t.Fatalf("got %#v", fe)
	}
}
