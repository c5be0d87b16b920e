package model

// Severity orders findings: an Error means the app will not run as written
// on the target, a Warning that it runs with a risk, Info that something was
// changed or dropped and the user should know.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Finding is one statement about the app, for reports.
type Finding struct {
	Severity Severity `json:"severity"`
	// Key is the quota key the finding is about ("requests.cpu", "pods"), or a
	// short rule name ("limitrange", "rollout", "node-size", "dropped").
	Key string `json:"key"`
	// Object is the object the finding is about; zero when none.
	Object  Key    `json:"object,omitzero"`
	Message string `json:"message"`
}
