//! XML Schema / RFC 3339 date-times as used by `validFrom`, `validUntil` and `created`.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses an XML Schema `dateTime` (RFC 3339 profile) into Unix milliseconds.
///
/// Accepts `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM]`; a value without a time zone is read
/// as UTC. Returns `None` for anything else, never panics. The `time` crate reads RFC 3339
/// (calendar, leap second only as the last second of a UTC month); the profile narrows it:
/// the separator must be `T`, the offset at most 14 hours, and a missing zone means UTC.
pub(crate) fn parse_datetime_ms(s: &str) -> Option<i64> {
    if s.len() < 19 || s.len() > 64 || !matches!(s.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    let zoneless = s
        .get(19..)?
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.');
    let dt = if zoneless {
        OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339)
    } else {
        OffsetDateTime::parse(s, &Rfc3339)
    }
    .ok()?;
    if dt.offset().whole_hours().unsigned_abs() > 14 {
        return None;
    }
    i64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// Formats Unix milliseconds as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC; RFC 3339
/// writes no fraction for a whole second). Past year 9999 it writes the last second of 9999.
pub(crate) fn format_datetime(ms: u64) -> String {
    i64::try_from(ms / 1_000)
        .ok()
        .and_then(|secs| OffsetDateTime::from_unix_timestamp(secs).ok())
        .and_then(|dt| dt.format(&Rfc3339).ok())
        .unwrap_or_else(|| "9999-12-31T23:59:59Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_datetime_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_datetime_ms("2023-02-24T23:36:38Z"),
            Some(1_677_281_798_000)
        );
        assert_eq!(
            parse_datetime_ms("2023-02-24T23:36:38.5Z"),
            Some(1_677_281_798_500)
        );
        assert_eq!(
            parse_datetime_ms("2023-02-25T01:36:38+02:00"),
            Some(1_677_281_798_000)
        );
        assert_eq!(
            parse_datetime_ms("2023-02-24T23:36:38"),
            Some(1_677_281_798_000)
        );
        assert_eq!(format_datetime(1_677_281_798_123), "2023-02-24T23:36:38Z");
        assert_eq!(format_datetime(951_782_400_000), "2000-02-29T00:00:00Z");
        // RFC 3339 leap second: only as the last second of a UTC month, read as its last
        // millisecond.
        assert_eq!(
            parse_datetime_ms("2016-12-31T23:59:60Z"),
            Some(1_483_228_799_999)
        );
        for bad in [
            "2023-02-24T12:00:60Z",
            "2023-02-24T23:36:38+15:00",
            "",
            "2023-02-30T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-02-24 23:36:38Z",
            "2023-02-24T23:36:38Zjunk",
            "2023-02-24T23:36:38.Z",
            "2023-02-24T23:36:38+2:00",
            "٢٠٢٣-02-24T23:36:38Z",
        ] {
            assert_eq!(parse_datetime_ms(bad), None, "{bad}");
        }
    }
}
