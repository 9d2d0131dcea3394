mod common;

use common::{assert_fails, Json};
use trajplot::{sys, ErrorKind, Statistic};

#[test]
fn versions_are_the_loaded_library_s() {
    assert_eq!(
        trajplot::version(),
        (
            sys::TRAJPLOT_VERSION_MAJOR,
            sys::TRAJPLOT_VERSION_MINOR,
            sys::TRAJPLOT_VERSION_PATCH
        )
    );
    assert_eq!(trajplot::abi_version(), sys::TRAJPLOT_ABI_VERSION);
    assert!(trajplot::check_abi().is_ok());
}

#[test]
fn trunc_string_left_counts_code_points() {
    assert_eq!(trajplot::trunc_string_left("hello", 3).unwrap(), "llo");
    assert_eq!(trajplot::trunc_string_left("ab", 4).unwrap(), "  ab");
    assert_eq!(trajplot::trunc_string_left("Δ0.00%", 6).unwrap(), "Δ0.00%");
    assert_eq!(trajplot::trunc_string_left("Δ0.00%", 7).unwrap(), " Δ0.00%");
    assert_eq!(trajplot::trunc_string_left("Δ0.00%", 3).unwrap(), "00%");
    assert_eq!(trajplot::trunc_string_left("abc", 0).unwrap(), "");
    // The string goes with its byte length: NUL is a character like any.
    assert_eq!(trajplot::trunc_string_left("a\0b", 3).unwrap(), "a\0b");
    assert_eq!(trajplot::trunc_string_left("a\0b", 2).unwrap(), "\0b");
    assert_eq!(trajplot::trunc_string_left("\0", 2).unwrap(), " \0");
    assert_eq!(trajplot::trunc_string_left("", 2).unwrap(), "  ");
    assert_fails(
        trajplot::trunc_string_left("a", usize::MAX),
        ErrorKind::OutOfRange,
        &["trajplot_trunc_string_left"],
    );
}

#[test]
fn default_threads_counts_the_cores_available() {
    let threads = trajplot::default_threads();
    assert!(threads >= 1, "default_threads() is {}", threads);
    assert_eq!(trajplot::default_threads(), threads);
}

#[test]
fn errors_carry_status_and_work_with_question_mark() {
    fn clip_badly() -> Result<Statistic, Box<dyn std::error::Error>> {
        let statistic = Statistic::new("x", &[1.0], 1, 1)?;
        Ok(statistic.clip(1.0, 0.0)?)
    }
    let error = clip_badly().unwrap_err();
    assert!(
        error.to_string().starts_with("trajplot_statistic_clip: "),
        "{}",
        error
    );
    let error = Statistic::new("x", &[1.0], 1, 1)
        .unwrap()
        .stride(0)
        .unwrap_err();
    assert_eq!(error.status(), sys::TRAJPLOT_EINVAL);
    // The binding's own checks report the status the library would.
    let error = Statistic::new("x", &[1.0, 2.0], 1, 1).unwrap_err();
    assert_eq!(
        (error.kind(), error.status()),
        (ErrorKind::InvalidArgument, sys::TRAJPLOT_EINVAL)
    );
}

#[test]
fn a_failed_call_does_not_leave_its_message_behind() {
    let statistic = Statistic::new("x", &[1.0], 1, 1).unwrap();
    statistic.stride(0).unwrap_err();
    // The binding copied the message and cleared it, so the thread's last
    // error no longer reports it.
    let status = unsafe { sys::trajplot_error_last_status() };
    assert_eq!(status, sys::TRAJPLOT_OK);
}

#[test]
fn the_test_json_parser_rejects_invalid_json() {
    let value = Json::parse(r#" {"a": [1, -2.5e1, null, true], "b": "x\u00e9\ud83d\ude42\n"} "#);
    assert_eq!(value.at("a.1").number(), -25.0);
    assert_eq!(value.at("b").str(), "xé🙂\n");
    for invalid in [
        "{\"a\": }",
        "[1,]",
        "{\"a\": 1} x",
        "\"\u{1}\"",
        "NaN",
        "{\"a\":1,\"a\":2}",
        "[1 2]",
    ] {
        assert!(Json::try_parse(invalid).is_err(), "accepted {:?}", invalid);
    }
}
