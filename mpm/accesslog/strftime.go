package accesslog

import (
	"strconv"
	"time"
)

var (
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDays    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	longMonths  = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// appendStrftime formats t with the strftime(3) conversions of the C locale that
// access-log formats use; an unknown conversion is copied as written.
func appendStrftime(b []byte, f string, t time.Time) []byte {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 == len(f) {
			b = append(b, f[i])
			continue
		}
		i++
		switch f[i] {
		case 'a':
			b = append(b, shortDays[t.Weekday()]...)
		case 'A':
			b = append(b, longDays[t.Weekday()]...)
		case 'b', 'h':
			b = append(b, shortMonths[t.Month()-1]...)
		case 'B':
			b = append(b, longMonths[t.Month()-1]...)
		case 'C':
			b = appendPadded(b, int64(t.Year()/100), 2)
		case 'd':
			b = appendPadded(b, int64(t.Day()), 2)
		case 'e':
			if t.Day() < 10 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(t.Day()), 10)
		case 'D':
			b = appendStrftime(b, "%m/%d/%y", t)
		case 'F':
			b = appendStrftime(b, "%Y-%m-%d", t)
		case 'H':
			b = appendPadded(b, int64(t.Hour()), 2)
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b = appendPadded(b, int64(h), 2)
		case 'j':
			b = appendPadded(b, int64(t.YearDay()), 3)
		case 'k':
			if t.Hour() < 10 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(t.Hour()), 10)
		case 'm':
			b = appendPadded(b, int64(t.Month()), 2)
		case 'M':
			b = appendPadded(b, int64(t.Minute()), 2)
		case 'n':
			b = append(b, '\n')
		case 'p':
			if t.Hour() < 12 {
				b = append(b, "AM"...)
			} else {
				b = append(b, "PM"...)
			}
		case 'R':
			b = appendStrftime(b, "%H:%M", t)
		case 's':
			b = strconv.AppendInt(b, t.Unix(), 10)
		case 'S':
			b = appendPadded(b, int64(t.Second()), 2)
		case 't':
			b = append(b, '\t')
		case 'T':
			b = appendStrftime(b, "%H:%M:%S", t)
		case 'u':
			wd := int64(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			b = strconv.AppendInt(b, wd, 10)
		case 'w':
			b = strconv.AppendInt(b, int64(t.Weekday()), 10)
		case 'y':
			b = appendPadded(b, int64(t.Year()%100), 2)
		case 'Y':
			b = strconv.AppendInt(b, int64(t.Year()), 10)
		case 'z':
			_, off := t.Zone()
			sign := byte('+')
			if off < 0 {
				sign, off = '-', -off
			}
			b = append(b, sign)
			b = appendPadded(b, int64(off/3600), 2)
			b = appendPadded(b, int64(off%3600/60), 2)
		case 'Z':
			name, _ := t.Zone()
			b = append(b, name...)
		case '%':
			b = append(b, '%')
		default:
			b = append(b, '%', f[i])
		}
	}
	return b
}
