package gateway

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func (c *Cors) originAllowed(origin string) (string, bool) {
	for _, o := range c.AllowOrigins {
		if o == "*" {
			if c.AllowCredentials {
				return origin, true
			}
			return "*", true
		}
		if strings.EqualFold(o, origin) {
			return origin, true
		}
	}
	return "", false
}

// preflight answers an OPTIONS preflight as HTTP APIs with a CORS
// configuration do: 204, whatever the routes, with the configured
// Access-Control-* headers when the origin is allowed.
func (g *Gateway) preflight(w *statusWriter, rs *reqState) {
	c := rs.api.cors
	h := w.Header()
	origin := rs.in.Header.Get("Origin")
	if ao, ok := c.originAllowed(origin); ok {
		method := rs.in.Header.Get("Access-Control-Request-Method")
		methodOK := slices.ContainsFunc(c.AllowMethods, func(m string) bool { return m == "*" || strings.EqualFold(m, method) })
		if methodOK {
			h.Set("Access-Control-Allow-Origin", ao)
			if ao != "*" {
				h.Add("Vary", "Origin")
			}
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
			if len(c.AllowHeaders) > 0 {
				if slices.Contains(c.AllowHeaders, "*") {
					if req := rs.in.Header.Get("Access-Control-Request-Headers"); req != "" {
						h.Set("Access-Control-Allow-Headers", req)
					} else {
						h.Set("Access-Control-Allow-Headers", "*")
					}
				} else {
					h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
				}
			}
			if c.MaxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
			}
			if c.AllowCredentials {
				h.Set("Access-Control-Allow-Credentials", "true")
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// corsHeaders adds the CORS headers of a non-preflight response.
func (g *Gateway) corsHeaders(w *statusWriter, rs *reqState) {
	origin := rs.in.Header.Get("Origin")
	if origin == "" {
		return
	}
	c := rs.api.cors
	ao, ok := c.originAllowed(origin)
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", ao)
	if ao != "*" {
		h.Add("Vary", "Origin")
	}
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// bucket is a token bucket.
type bucket struct {
	mu     sync.Mutex
	tokens float64
	last   time.Time
	rate   float64
	burst  float64
}

func (b *bucket) take(now time.Time, rate float64, burst int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rate != rate || b.burst != float64(burst) { // new limits: start full
		b.rate, b.burst, b.tokens, b.last = rate, float64(burst), float64(burst), now
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(b.burst, b.tokens+el*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// allow applies the route's throttle (or the stage's default route
// settings). A limit with a zero rate and burst is no limit; a burst of 0
// with a positive rate allows one request at a time.
func (g *Gateway) allow(rs *reqState) bool {
	t := rs.route.throttle
	if t == nil || (t.RateLimit == 0 && t.BurstLimit == 0) {
		t = rs.stage.throttle
	}
	if t == nil || (t.RateLimit <= 0 && t.BurstLimit <= 0) {
		return true
	}
	burst := t.BurstLimit
	if burst <= 0 {
		burst = 1
	}
	key := rs.api.id + "/" + rs.stage.name + "/" + rs.route.key
	x, ok := g.buckets.Load(key)
	if !ok {
		x, _ = g.buckets.LoadOrStore(key, &bucket{})
	}
	return x.(*bucket).take(g.now(), t.RateLimit, burst)
}
