package notify

import (
	"errors"

	"github.com/ninsho/ninsho/internal/secretbox"
)

// sealInfo separates the job key derived from the master key from the keys
// other packages derive from it.
const sealInfo = "ninsho notify.smtp job body v1"

// A body is bound to its message id, so that a sealed body cannot be moved
// to another job.
func sealAAD(id string) []byte { return []byte(SMTPJobKind + "/" + id) }

// seal moves j's body into SealedBody when there is a box. The body of a
// code or an invitation carries the code or the temporary password: with a
// master key it is not in the store in clear while it waits.
func seal(box *secretbox.Box, j *smtpJob) {
	if box == nil {
		return
	}
	j.SealedBody = box.Seal([]byte(j.Message.Body), sealAAD(j.Message.ID))
	j.Message.Body = ""
}

// unseal returns the message of j with its body.
func unseal(box *secretbox.Box, j smtpJob) (Message, error) {
	m := j.Message
	if j.SealedBody == nil {
		return m, nil
	}
	body, err := box.Open(j.SealedBody, sealAAD(m.ID))
	if errors.Is(err, secretbox.ErrNoKey) {
		return m, errors.New("smtp: the job's body is sealed and no master key is configured")
	}
	if err != nil {
		return m, errors.New("smtp: cannot open the sealed body (another master key?)")
	}
	m.Body = string(body)
	return m, nil
}
