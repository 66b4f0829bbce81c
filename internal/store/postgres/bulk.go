package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/ninsho/ninsho/internal/store"
)

var _ store.BulkUserCreator = (*Store)(nil)

// CreateUsers adds the users in one transaction, sent as one batch: one
// round trip for the lot rather than one per user.
func (s *Store) CreateUsers(ctx context.Context, us []store.User) error {
	b := &pgx.Batch{}
	for _, u := range us {
		args, err := userArgs(u)
		if err != nil {
			return err
		}
		b.Queue(insertUser, args...)
	}
	return s.inTx(ctx, pgx.ReadCommitted, func(tx pgx.Tx) error {
		res := tx.SendBatch(ctx, b)
		for range us {
			if _, err := res.Exec(); err != nil {
				res.Close()
				return mapErr(err)
			}
		}
		return mapErr(res.Close())
	})
}
