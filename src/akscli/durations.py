"""Go durations as kubectl reads them, in seconds: time.ParseDuration (a kubelogin or kubectl wait
--timeout, pflag's DurationVar) and client-go's ParseTimeout (--request-timeout). The standard library
only, and no ``re``: akscli token (kubectl runs it before every request) reads its --timeout here."""

from __future__ import annotations

# Go's time.ParseDuration units (upstream: golang/go src/time/format.go ``unitMap``): "us" and both
# micro signs (U+00B5, U+03BC) are microseconds.
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "\u00b5s": 1e-6, "\u03bcs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DIGITS = "0123456789"
# Go's time.Duration is int64 nanoseconds: ParseDuration refuses more ("invalid duration").
_GO_MAX_SECONDS = 9223372036.854775807


def go_duration(text: str, *, bounded: bool = True) -> float | None:
    """Seconds of a Go duration ("60s", "1m30s", "1.5h", "-2s", "0"), as time.ParseDuration reads it; None
    for what it refuses: no unit ("60"), an unknown unit, spaces, an empty number, and (unless not
    ``bounded``) more than an int64 of nanoseconds, about 292 years."""
    s = text[1:] if text[:1] in ("-", "+") else text
    sign = -1.0 if text[:1] == "-" else 1.0
    if s == "0":
        return 0.0
    total, i = 0.0, 0
    if not s:
        return None
    while i < len(s):
        start = i
        while i < len(s) and s[i] in _DIGITS:
            i += 1
        whole = s[start:i]
        fraction = ""
        if i < len(s) and s[i] == ".":
            i += 1
            begin = i
            while i < len(s) and s[i] in _DIGITS:
                i += 1
            fraction = s[begin:i]
        if not whole and not fraction:
            return None
        begin = i
        while i < len(s) and s[i] != "." and s[i] not in _DIGITS:
            i += 1
        unit = _GO_UNITS.get(s[begin:i])
        if unit is None:
            return None
        total += float(f"{whole or 0}.{fraction or 0}") * unit
    return None if bounded and total > _GO_MAX_SECONDS else sign * total


def kubectl_timeout(text: str) -> float | None:
    """Seconds of a timeout as client-go's ParseTimeout reads kubectl's --request-timeout: a whole
    number of seconds ("30", "+30"; int64, not negative), else a Go duration ("1.5s", "500ms", "1h30m");
    None for what it refuses ("1.5", "1x", "-1"). A negative duration ("-1s"), which ParseTimeout
    takes, is returned as read: the caller refuses it (upstream: kubernetes/client-go 32ce75a7
    tools/clientcmd/helpers.go ParseTimeout, ``strconv.ParseInt(duration, 10, 64)`` then
    ``time.ParseDuration``)."""
    digits = text[1:] if text[:1] in ("-", "+") else text
    if digits and all(c in _DIGITS for c in digits) and (text[:1] != "-" or int(digits) == 0):
        return float(int(digits)) if int(digits) < 2**63 else None
    return go_duration(text)


def go_string(seconds: float) -> str:
    """A duration as Go's time.Duration.String writes it ("30s", "1m30s", "1h0m0s", "1.5s", "500ms",
    "0s"), the form client-go puts in a request's ``timeout`` query parameter (upstream: golang/go
    src/time/time.go ``Duration.String``, ``fmtFrac`` and ``fmtInt``: under a second in ns, µs or ms
    with a fraction; from a second on h, m and s, the seconds with up to 9 fractional digits and no
    trailing zeros; kubernetes/client-go 32ce75a7 rest/request.go URL, ``r.timeout.String()``)."""
    nanos = round(seconds * 1e9)
    sign, u = ("-", -nanos) if nanos < 0 else ("", nanos)
    if u == 0:
        return "0s"
    if u < 1_000_000_000:
        for scale, unit in ((1_000_000, "ms"), (1_000, "\u00b5s"), (1, "ns")):
            if u >= scale:
                return sign + _fraction(u, scale) + unit
    text = _fraction(u % 60_000_000_000, 1_000_000_000) + "s"
    minutes = u // 60_000_000_000
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes >= 60:
            text = f"{minutes // 60}h{text}"
    return sign + text


def _fraction(value: int, scale: int) -> str:
    """``value / scale`` with its fractional digits, trailing zeros and a bare point left out."""
    whole, rest = divmod(value, scale)
    digits = str(rest).rjust(len(str(scale)) - 1, "0").rstrip("0") if scale > 1 else ""
    return f"{whole}.{digits}" if digits else str(whole)
