package web

import (
	"github.com/cnr-numerique/concertation/app/metrics"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
)

// metricsHandler serves GET /metrics in the Prometheus text format: search
// engine latency, search outbox lag and pending rows, Go runtime. The
// figures are operational, not personal; restrict the path at the proxy
// when it should not be public.
var metricsHandler = adaptor.HTTPHandler(metrics.Handler())
