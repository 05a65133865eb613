package store_test

import (
	"context"
	"testing"

	"github.com/retainhq/retain"
	"github.com/retainhq/retain/internal/store"
	"github.com/retainhq/retain/internal/store/storetest"
)

// TestLoyaltyLedgerAppendOnly: the database refuses to change or delete a
// ledger entry, on both backends; the verifier finds a balance or a lot
// that no longer matches its entries; a debit the lot cannot cover is
// refused and writes nothing.
func TestLoyaltyLedgerAppendOnly(t *testing.T) {
	for name, open := range storetest.Openers() {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			ctx := context.Background()
			var b store.Batch
			b.Customers = append(b.Customers, store.Row[retain.Customer]{V: retain.Customer{ExternalID: "c1"}})
			if _, err := db.Apply(ctx, &b); err != nil {
				t.Fatal(err)
			}
			c, err := db.GetCustomer(ctx, "c1")
			if err != nil {
				t.Fatal(err)
			}
			var lot int64
			err = db.WithTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.LockLoyalty(ctx, c.ID); err != nil {
					return err
				}
				lot, _, err = tx.CreditLoyalty(ctx, store.LoyaltyCredit{CustomerID: c.ID, Kind: "adjust", Points: 10, Op: "test:1"})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.WithTx(ctx, func(tx *store.Tx) error {
				_, err := tx.DebitLoyalty(ctx, store.LoyaltyDebit{CustomerID: c.ID, Kind: "redeem", Op: "test:2", Draws: map[int64]int64{lot: 11}})
				return err
			})
			if err != store.ErrNotEnoughPoints {
				t.Errorf("a draw of 11 on a lot of 10: %v", err)
			}
			for _, q := range []string{`UPDATE loyalty_ledger SET points = 1000`, `DELETE FROM loyalty_ledger`} {
				if err := db.ExecForTest(ctx, q); err == nil {
					t.Errorf("%s: allowed", q)
				}
			}
			if v, err := db.VerifyLoyalty(ctx); err != nil || len(v) != 0 {
				t.Fatalf("a clean ledger: %+v %v", v, err)
			}
			for rule, q := range map[string]string{"lot": `UPDATE loyalty_lots SET remaining = remaining + 1`,
				"balance": `UPDATE loyalty_accounts SET balance = balance + 5`} {
				if err := db.ExecForTest(ctx, q); err != nil {
					t.Fatal(err)
				}
				v, err := db.VerifyLoyalty(ctx)
				found := false
				for _, x := range v {
					found = found || x.Rule == rule
				}
				if err != nil || !found {
					t.Errorf("after %s: %+v %v", q, v, err)
				}
			}
		})
	}
}
