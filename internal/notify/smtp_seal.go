package notify

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// sealInfo separates the job key derived from the master key from the keys
// other packages derive from it.
const sealInfo = "ninsho notify.smtp job body v1"

// newJobAEAD derives the AEAD that seals job bodies from masterKey.
func newJobAEAD(masterKey []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, masterKey, nil, sealInfo, 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// A body is bound to its message id, so that a sealed body cannot be moved
// to another job.
func sealAAD(id string) []byte { return []byte(SMTPJobKind + "/" + id) }

// seal moves j's body into SealedBody when there is an AEAD. The body of a
// code or an invitation carries the code or the temporary password: with a
// master key it is not in the store in clear while it waits.
func seal(aead cipher.AEAD, j *smtpJob) {
	if aead == nil {
		return
	}
	body := []byte(j.Message.Body)
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(body)+aead.Overhead())
	rand.Read(nonce)
	j.SealedBody = aead.Seal(nonce, nonce, body, sealAAD(j.Message.ID))
	j.Message.Body = ""
}

// unseal returns the message of j with its body.
func unseal(aead cipher.AEAD, j smtpJob) (Message, error) {
	m := j.Message
	if j.SealedBody == nil {
		return m, nil
	}
	if aead == nil {
		return m, errors.New("smtp: the job's body is sealed and no master key is configured")
	}
	n := aead.NonceSize()
	if len(j.SealedBody) < n {
		return m, errors.New("smtp: sealed body too short")
	}
	body, err := aead.Open(nil, j.SealedBody[:n], j.SealedBody[n:], sealAAD(m.ID))
	if err != nil {
		return m, errors.New("smtp: cannot open the sealed body (another master key?)")
	}
	m.Body = string(body)
	return m, nil
}
