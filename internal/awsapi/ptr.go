package awsapi

import "time"

// The generated structs use pointers for every scalar so that "absent" and
// "zero" differ, as they do on the wire. These helpers keep service code
// readable when building outputs and reading inputs.

// String returns a pointer to v.
func String(v string) *string { return &v }

// ToString returns *p, or "" when p is nil.
func ToString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Int32 returns a pointer to v.
func Int32(v int32) *int32 { return &v }

// ToInt32 returns *p, or 0 when p is nil.
func ToInt32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

// Int64 returns a pointer to v.
func Int64(v int64) *int64 { return &v }

// ToInt64 returns *p, or 0 when p is nil.
func ToInt64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Bool returns a pointer to v.
func Bool(v bool) *bool { return &v }

// ToBool returns *p, or false when p is nil.
func ToBool(p *bool) bool {
	if p == nil {
		return false
	}
	return *p
}

// Float64 returns a pointer to v.
func Float64(v float64) *float64 { return &v }

// ToFloat64 returns *p, or 0 when p is nil.
func ToFloat64(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// Time returns t as a *Timestamp.
func Time(t time.Time) *Timestamp { return &Timestamp{Time: t} }

// ToTime returns p's time, or the zero time when p is nil.
func ToTime(p *Timestamp) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.Time
}
