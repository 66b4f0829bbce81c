package sqlite

import (
	"context"
	"database/sql"

	"github.com/ninsho/ninsho/internal/store"
)

var _ store.BulkUserCreator = (*Store)(nil)

// CreateUsers adds the users in one write transaction: one commit (and one
// WAL sync at most) for the lot rather than one per user.
func (s *Store) CreateUsers(ctx context.Context, us []store.User) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		ins, err := s.txStmt(ctx, tx, insertUser)
		if err != nil {
			return err
		}
		for _, u := range us {
			args, err := userArgs(u)
			if err != nil {
				return err
			}
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return mapErr(err)
			}
		}
		return nil
	})
}
