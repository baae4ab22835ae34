package clients

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

var trainingGVR = schema.GroupVersionResource{Group: "run.ai", Version: "v2alpha1", Resource: "trainingworkloads"}

// SubmitTraining creates a TrainingWorkload through the Kubernetes API.
func SubmitTraining(ctx context.Context, dyn dynamic.Interface, obj *unstructured.Unstructured) error {
	_, err := dyn.Resource(trainingGVR).Namespace("runai-vision").Create(ctx, obj, metav1.CreateOptions{})
	return err
}
