// Package errdef is the error vocabulary shared by the registry client
// (internal/oci), the Docker Hub client (internal/hub) and the trust clients.
// It is a leaf: it imports nothing of this module, so every client can use it
// without importing another client. Callers test with errors.Is / errors.As;
// internal/tools turns each kind into advice for the model, in one place.
package errdef
