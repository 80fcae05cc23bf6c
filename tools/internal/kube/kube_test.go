package kube

import (
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, wantErr string
		wantObjs           int
	}{
		{"valid", "# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: a\n", "", 1},
		{"unknown field", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  prots: []\n",
			`unknown field "spec.prots"`, 0},
		{"duplicate key", "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n",
			`"name" already set`, 0},
		{"wrong type", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: two\n",
			"cannot unmarshal", 0},
		{"unknown kind", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: a\n", "no kind", 0},
		{"comments only", "# nothing here\n---\n", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			objs, err := Decode(strings.NewReader(tt.doc))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Decode error = %v, want one containing %q", err, tt.wantErr)
			}
			if len(objs) != tt.wantObjs {
				t.Errorf("decoded %d objects, want %d", len(objs), tt.wantObjs)
			}
		})
	}
}
