use super::*;

fn parse(source: &str) -> Result<Deck, DeckError> {
    parse_deck("talk.md", source)
}

fn error(source: &str) -> DeckError {
    match parse(source) {
        Ok(deck) => panic!("expected an error, parsed {deck:?}"),
        Err(error) => error,
    }
}

#[test]
fn the_demo_deck_parses_with_three_questions() {
    let deck = demo_deck();
    assert_eq!(deck.title, "Handsup demo");
    assert!(deck.questions().count() >= 3);
    assert!(deck.questions().any(|q| matches!(q.kind, QuestionKind::Single { .. })));
    assert!(deck.questions().any(|q| matches!(q.kind, QuestionKind::Multiple { max: Some(_), .. })));
    assert!(deck.slides[0].question.is_none(), "the demo opens on a title slide");
}

#[test]
fn reads_front_matter_slides_notes_and_questions() {
    let deck = parse(
        "---\nmarp: true\ntitle: \"My talk\"\n---\n\n# Hello\n\nSome *text*.\n\n<!-- Say hi. -->\n\n---\n\n\
         <!-- _class: lead -->\n<!-- question: multiple max=2 id=langs -->\n## Which languages?\n\n\
         - Rust\n- Go\n* Python\n\nPick two.\n<!--\nNotes over\ntwo lines\n-->\n",
    )
    .expect("deck");
    assert_eq!(deck.title, "My talk");
    assert_eq!(deck.slides.len(), 2);
    assert_eq!(deck.slides[0].body, "# Hello\n\nSome *text*.");
    assert_eq!(deck.slides[0].notes, "Say hi.");
    assert_eq!(deck.slides[0].line, 5);
    let slide = &deck.slides[1];
    assert_eq!(slide.notes, "Notes over\ntwo lines", "Marp directives are not notes");
    assert_eq!(slide.body, "## Which languages?\n\n\nPick two.");
    let question = slide.question.as_ref().expect("question");
    assert_eq!(question.id, "langs");
    assert_eq!(question.prompt, "Which languages?");
    assert_eq!(
        question.kind,
        QuestionKind::Multiple { options: vec!["Rust".into(), "Go".into(), "Python".into()], max: Some(2) }
    );
}

#[test]
fn ids_come_from_the_prompt_and_stay_unique() {
    let deck = parse(
        "<!-- question: single -->\n# Coffee or tea?\n- Coffee\n- Tea\n---\n\
         <!-- question: single -->\n# Coffee or tea?\n1. Coffee\n2) Tea\n---\n\
         <!-- question: single -->\n# ???\n- A\n- B\n",
    )
    .expect("deck");
    let ids: Vec<&str> = deck.questions().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, ["coffee-or-tea", "coffee-or-tea-2", "question-3"]);
    assert_eq!(deck.title, "Coffee or tea?");
}

#[test]
fn separators_inside_code_blocks_do_not_split_slides() {
    let deck = parse("# Code\n\n```yaml\n---\nkey: value\n---\n```\n\n---\n\n# Next\n").expect("deck");
    assert_eq!(deck.slides.len(), 2);
    assert!(deck.slides[0].body.contains("key: value"));
}

#[test]
fn comments_inside_code_blocks_stay_code() {
    let deck = parse("# Html\n\n```html\n<!-- question: single -->\n```\n").expect("deck");
    assert!(deck.slides[0].question.is_none());
    assert!(deck.slides[0].body.contains("<!-- question: single -->"));
}

#[test]
fn windows_line_endings_parse_the_same() {
    let unix = parse("# A\n\n---\n\n<!-- question: single -->\n# Q\n- x\n- y\n").expect("unix");
    let windows = parse("# A\r\n\r\n---\r\n\r\n<!-- question: single -->\r\n# Q\r\n- x\r\n- y\r\n").expect("windows");
    assert_eq!(unix, windows);
}

#[test]
fn bad_decks_say_file_line_and_what_was_expected() {
    let cases: &[(&str, usize, &str)] = &[
        ("---\ntitle: x\n# never closed\n", 1, "never closed"),
        ("---\ntitle x\n---\n# A\n", 2, "expected `key: value`"),
        ("# A\n---\n<!-- question: poll -->\n# Q\n- a\n- b\n", 3, "unknown question kind `poll`"),
        ("# A\n---\n<!-- question: -->\n# Q\n- a\n- b\n", 3, "expected a question kind"),
        ("<!-- question: single -->\nNo heading\n- a\n- b\n", 1, "needs a heading"),
        ("<!-- question: single -->\n# Q\n\n- only one\n", 4, "at least two options"),
        ("<!-- question: single -->\n# Q\n\nno list\n", 2, "at least two options"),
        ("<!-- question: single max=2 -->\n# Q\n- a\n- b\n", 1, "`max` only applies"),
        (
            "<!-- question: multiple max=3 -->\n# Q\n- a\n- b\n",
            1,
            "max=3 must be between 1 and the number of options (2)",
        ),
        ("<!-- question: multiple max=two -->\n# Q\n- a\n- b\n", 1, "is not a number"),
        ("<!-- question: multiple colour=red -->\n# Q\n- a\n- b\n", 1, "unknown setting `colour=red`"),
        ("<!-- question: single id=has/slash -->\n# Q\n- a\n- b\n", 1, "id=has/slash"),
        ("<!-- question: single -->\n# Q\n- a\n- a\n", 4, "listed twice"),
        ("<!-- question: single -->\n# Q\n- a\n  continued\n- b\n", 4, "each option is one line"),
        ("<!-- question: single -->\n<!-- question: single -->\n# Q\n- a\n- b\n", 2, "only one question"),
        ("# A\n\n<!-- notes that never end\n", 3, "never closed"),
        (
            "<!-- question: single id=x -->\n# Q\n- a\n- b\n---\n<!-- question: single id=x -->\n# R\n- a\n- b\n",
            6,
            "used twice",
        ),
        ("\n\n", 1, "no slides"),
    ];
    for (source, line, expected) in cases {
        let error = error(source);
        assert_eq!(error.file, "talk.md");
        assert!(error.message.contains(expected), "{source:?}: got {error}");
        assert_eq!(error.line, *line, "{source:?}: got {error}");
        assert!(error.to_string().starts_with(&format!("talk.md:{line}: ")));
    }
}

#[test]
fn limits_are_errors_not_panics() {
    let options: String = (0..27).map(|n| format!("- option {n}\n")).collect();
    let too_many = error(&format!("<!-- question: single -->\n# Q\n{options}"));
    assert!(too_many.message.contains("at most 26 options"), "{too_many}");
    let long = error(&format!("<!-- question: single -->\n# Q\n- {}\n- b\n", "x".repeat(201)));
    assert!(long.message.contains("longer than"), "{long}");
    let huge = error(&"x".repeat(3 * 1024 * 1024));
    assert!(huge.message.contains("at most"), "{huge}");
}

#[test]
fn every_example_in_the_format_doc_parses() {
    let doc = include_str!("../../../../docs/deck-format.md");
    let mut examples = 0;
    let mut rest = doc;
    // Examples are fenced with four backticks so they may contain code blocks.
    while let Some(start) = rest.find("````markdown\n") {
        let after = &rest[start + "````markdown\n".len()..];
        let Some(end) = after.find("\n````") else { break };
        let example = &after[..end];
        if let Err(error) = parse_deck("example.md", example) {
            panic!("docs/deck-format.md example {examples} does not parse: {error}\n{example}");
        }
        examples += 1;
        rest = &after[end..];
    }
    assert!(examples >= 3, "found only {examples} examples");
}
