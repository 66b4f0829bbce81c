// Package notify delivers what a user pool sends to its users (sign-up and
// verification codes, invitations with temporary passwords, password-reset
// codes, MFA codes): always to a local outbox that developers and test
// suites read (GET /_ninsho/outbox), and by email over SMTP when configured.
package notify

import (
	"context"
	"time"

	"github.com/ninsho/ninsho/internal/store"
)

// Mediums of a message.
const (
	Email = "EMAIL"
	SMS   = "SMS"
)

// Kinds of message: why it was sent.
const (
	KindSignUp          = "SIGN_UP"          // SignUp, ResendConfirmationCode
	KindInvitation      = "INVITATION"       // AdminCreateUser (temporary password)
	KindForgotPassword  = "FORGOT_PASSWORD"  // ForgotPassword, AdminResetUserPassword
	KindVerifyAttribute = "VERIFY_ATTRIBUTE" // GetUserAttributeVerificationCode, attribute updates
	KindMFA             = "MFA"              // SMS_MFA and EMAIL_OTP codes
)

// Message is one message to one destination.
type Message struct {
	ID       string `json:"id"` // set by the Sender when empty
	PoolID   string `json:"poolId"`
	Username string `json:"username"`
	Kind     string `json:"kind"`
	Medium   string `json:"medium"` // Email or SMS
	To       string `json:"to"`     // an email address or an E.164 phone number
	Subject  string `json:"subject,omitempty"`
	Body     string `json:"body"`
	// Code is the code or temporary password the body carries, so that a
	// test reads it without parsing the body.
	Code      string    `json:"code,omitempty"`
	CreatedAt time.Time `json:"createdAt"` // set by the Sender when zero
}

// Sender accepts messages. Send returns once the message is durably in the
// outbox; delivery by SMTP happens afterwards and never blocks the caller.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Deliverer takes messages for delivery beyond the outbox. Enqueue is called
// inside the transaction that writes the message to the outbox, so a message
// is either in both or in neither.
type Deliverer interface {
	Enqueue(ctx context.Context, tx store.ObjectTx, m Message) error
}
