package plan_test

import "context"

type contextT = context.Context

func bg() context.Context { return context.Background() }
