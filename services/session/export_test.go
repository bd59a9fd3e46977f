package session

import "time"

// SetClock makes the session store read the time from now.
func (s *Service) SetClock(now func() time.Time) { s.store.now = now }
