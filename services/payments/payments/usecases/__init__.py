"""Use cases by capability: each takes a UnitOfWork, raises `usecases.errors` (grants_shared.errors kinds) when it
refuses, and returns rows or domain objects; the routes and consumers build answers and commit.

- awards and schedules: `awards` (a grant awarded, a report accepted, a partnership changed, a round opened),
  `budgets` (what a round has committed)
- release conditions and holds: `conditions` (agreement, plan, tranches falling due, a finance hold and its lifting)
- releases and approvals: `releases` (review, hold reasons, release, maker-checker approval)
- instructions and settlement: `instructions` (creating, moving, retrying), `settlement` (the bank's answers)
- returns and repayment: `returns` (a payment returned, a failed tranche retried, a returned one repaid)
- variations and closure: `variations` (request, decide), `reprofiling`, `closure`
- reconciliation: `reconciliation` (the bank's report against the ledger), `differences` (raised, resolved)
- shared by all: `locking` (load in the one lock order), `errors`
"""
