// Package kube decodes rendered Kubernetes manifests strictly into the typed
// objects of k8s.io/api, the way the API server would reject them: unknown
// fields, duplicate keys, wrong types and unknown kinds are errors.
package kube

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Object is one decoded manifest.
type Object struct {
	// Source names the template the document came from ("# Source:" line of
	// helm template), or "document N".
	Source string
	Kind   string
	Name   string
	Obj    runtime.Object
}

// Meta returns the object's metadata.
func (o Object) Meta() metav1.Object {
	m, _ := o.Obj.(metav1.Object)
	return m
}

// String names the object for messages.
func (o Object) String() string { return o.Kind + "/" + o.Name }

var decoder = func() runtime.Decoder {
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		appsv1.AddToScheme, autoscalingv2.AddToScheme, batchv1.AddToScheme, corev1.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme, rbacv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	return serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
}()

// Decode reads a stream of YAML documents. It returns every object it could
// decode and one error per document it could not.
func Decode(r io.Reader) ([]Object, error) {
	reader := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var objs []Object
	var errs []error
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return objs, fmt.Errorf("read document %d: %w", n, err)
		}
		source := sourceOf(doc, n)
		if isEmpty(doc) {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", source, err))
			continue
		}
		o := Object{Source: source, Kind: gvk.Kind, Obj: obj}
		if m := o.Meta(); m != nil {
			o.Name = m.GetName()
		}
		objs = append(objs, o)
	}
	return objs, errors.Join(errs...)
}

// sourceOf returns the template named by helm's "# Source:" comment.
func sourceOf(doc []byte, n int) string {
	for _, line := range strings.Split(string(doc), "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "# Source: "); ok {
			return s
		}
	}
	return fmt.Sprintf("document %d", n)
}

// isEmpty reports whether a document holds only comments and blank lines.
func isEmpty(doc []byte) bool {
	for _, line := range bytes.Split(doc, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) > 0 && line[0] != '#' && string(line) != "---" {
			return false
		}
	}
	return true
}

// PodTemplate returns the pod spec and metadata of a workload object.
func PodTemplate(o Object) (*corev1.PodTemplateSpec, bool) {
	switch v := o.Obj.(type) {
	case *appsv1.Deployment:
		return &v.Spec.Template, true
	case *appsv1.StatefulSet:
		return &v.Spec.Template, true
	case *appsv1.DaemonSet:
		return &v.Spec.Template, true
	case *batchv1.Job:
		return &v.Spec.Template, true
	case *batchv1.CronJob:
		return &v.Spec.JobTemplate.Spec.Template, true
	case *corev1.Pod:
		return &corev1.PodTemplateSpec{ObjectMeta: v.ObjectMeta, Spec: v.Spec}, true
	}
	return nil, false
}
