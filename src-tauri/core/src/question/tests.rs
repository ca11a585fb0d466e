use super::*;

fn draft<'a>(kind: &'a str, settings: &str, options: &[&str]) -> Draft<'a> {
    Draft {
        kind,
        settings: Settings::parse(settings).expect("settings"),
        id: "q".into(),
        prompt: "Question?".into(),
        options: options.iter().map(|o| o.to_string()).collect(),
    }
}

#[test]
fn every_kind_reads_back_what_it_writes() {
    for (kind, settings, options) in [
        ("single", "time=30", &["A", "B"][..]),
        ("multiple", "max=2 results=phones", &["A", "B", "C"]),
        ("scale", "min=0 max=10 labels=\"Not at all|Completely\"", &["Content", "Delivery"]),
        ("scale", "", &[]),
        ("number", "min=-5 max=2.5 answer=1.25", &[]),
        ("ranking", "", &["A", "B"]),
        ("points", "total=10", &["A", "B"]),
        ("wordcloud", "max=3", &[]),
        ("open", "max=2 moderate=yes", &[]),
        ("quiz", "points=500 time=10", &["[ ] A", "[x] B"]),
        ("quiz", "", &["[x] A", "[x] B", "[ ] C"]),
        ("quiz-text", "answer=\"Paris|Paris, France\" points=2000", &[]),
    ] {
        let question = Question::build(draft(kind, settings, options)).unwrap_or_else(|e| panic!("{kind}: {e:?}"));
        assert_eq!(question.kind.name(), kind);
        let written: Vec<String> = question.settings().iter().map(|(k, v)| format!("{k}={}", write_value(v))).collect();
        let again = Question::build(draft(kind, &written.join(" "), options)).expect("reads back");
        assert_eq!(again, question, "{kind} {settings}");
    }
}

#[test]
fn every_kind_is_listed_once() {
    let names: Vec<&str> = KINDS.iter().map(|spec| spec.name).collect();
    assert_eq!(
        names,
        ["single", "multiple", "scale", "number", "ranking", "points", "wordcloud", "open", "quiz", "quiz-text"]
    );
    for spec in KINDS {
        assert_eq!(spec.kind, spec.name);
    }
}

#[test]
fn faults_name_what_is_wrong() {
    let fault = |kind, settings, options: &[&str]| Question::build(draft(kind, settings, options)).expect_err("fault");
    assert!(matches!(fault("single", "", &["A"]), Fault::List(_)));
    assert!(matches!(fault("ranking", "", &["A", "A"]), Fault::Option(1, _)));
    for (kind, settings, key) in [
        ("multiple", "max=5", "max"),
        ("scale", "min=5 max=5", "max"),
        ("scale", "min=0 max=20", "max"),
        ("scale", "labels=one", "labels"),
        ("number", "min=3 max=1", "max"),
        ("number", "min=0 max=10 answer=11", "answer"),
        ("points", "total=0", "total"),
        ("single", "time=0", "time"),
        ("single", "results=projector", "results"),
        ("single", "max=2", "max"),
    ] {
        match fault(kind, settings, &["A", "B"]) {
            Fault::Setting(error) => assert_eq!(error.key.as_deref(), Some(key), "{kind} {settings}: {error:?}"),
            other => panic!("{kind} {settings}: {other:?}"),
        }
    }
    assert!(matches!(fault("poll", "", &["A", "B"]), Fault::Setting(SettingError { key: None, .. })));
}

#[test]
fn phones_never_see_an_unrevealed_answer() {
    let question = Question::build(draft("number", "answer=42", &[])).expect("number");
    assert_eq!(question.view(Audience::Presenter)["answer"], json!(42.0));
    assert!(question.view(Audience::Phones { revealed: false }).get("answer").is_none());
}

#[test]
fn edits_that_change_meaning_drop_answers() {
    let build = |kind, settings, options: &[&str]| Question::build(draft(kind, settings, options)).expect("question");
    let scale = build("scale", "", &["A"]);
    assert!(scale.keeps_answers(&build("scale", "labels=\"Low|High\" time=10", &["A"])));
    assert!(!scale.keeps_answers(&build("scale", "max=7", &["A"])));
    assert!(!scale.keeps_answers(&build("scale", "", &["A", "B"])));
    assert!(!scale.keeps_answers(&build("points", "", &["A", "B"])));
    let number = build("number", "answer=3", &[]);
    assert!(number.keeps_answers(&build("number", "answer=4", &[])));
    assert!(!number.keeps_answers(&build("number", "max=4", &[])));
}

#[test]
fn mean_and_median_of_counted_values() {
    assert_eq!(mean_and_median(&[]), (None, None));
    assert_eq!(mean_and_median(&[(1.0, 1), (2.0, 0), (4.0, 2)]), (Some(3.0), Some(4.0)));
    assert_eq!(mean_and_median(&[(1.0, 1), (2.0, 1)]), (Some(1.5), Some(1.5)));
}

#[test]
fn the_editor_is_told_truly_which_settings_discard_answers() {
    // (kind, list, setting, a value other than the default): every setting a kind declares.
    let changes = [
        ("multiple", &["A", "B", "C"][..], "max", "2"),
        ("scale", &["A"][..], "min", "0"),
        ("scale", &["A"][..], "max", "7"),
        ("scale", &["A"][..], "labels", "Lo|Hi"),
        ("number", &[][..], "min", "-5"),
        ("number", &[][..], "max", "10"),
        ("number", &[][..], "answer", "3"),
        ("points", &["A", "B"][..], "total", "50"),
        ("wordcloud", &[][..], "max", "2"),
        ("open", &[][..], "max", "2"),
        ("open", &[][..], "moderate", "yes"),
        ("quiz", &["[x] A", "[ ] B"][..], "points", "500"),
        ("quiz-text", &[][..], "answer", "Bern|Berne"),
        ("quiz-text", &[][..], "points", "500"),
    ];
    for spec in KINDS {
        for setting in spec.settings.iter().chain(&COMMON_SETTINGS) {
            let value = match setting.name {
                "time" => "30",
                "results" => "phones",
                "voters" => "one-per-address",
                name => {
                    let found = changes.iter().find(|(kind, _, key, _)| *kind == spec.name && *key == name);
                    found
                        .map(|(_, _, _, value)| *value)
                        .unwrap_or_else(|| panic!("no sample change for {}.{name}", spec.name))
                }
            };
            let options: &[&str] = changes.iter().find(|(kind, ..)| *kind == spec.name).map_or(&["A", "B"], |c| c.1);
            // A typed-answer quiz cannot be without its answer.
            let required = if spec.name == "quiz-text" && setting.name != "answer" { "answer=Bern " } else { "" };
            let before_settings = if spec.name == "quiz-text" { "answer=Bern" } else { "" };
            let before = Question::build(draft(spec.name, before_settings, options)).expect("before");
            let changed = format!("{required}{}={}", setting.name, write_value(value));
            let after = Question::build(draft(spec.name, &changed, options)).expect("after");
            assert_eq!(!before.keeps_answers(&after), setting.affects_answers, "{}.{}", spec.name, setting.name);
        }
    }
}
