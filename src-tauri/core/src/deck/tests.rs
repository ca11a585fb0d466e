use super::*;
use crate::question::{Kind, Multiple, Number, Scale};

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
fn the_demo_deck_shows_every_kind() {
    let deck = demo_deck();
    assert_eq!(deck.title, "Handsup demo");
    let mut kinds: Vec<&str> = deck.questions().map(|q| q.kind.name()).collect();
    kinds.dedup();
    assert_eq!(kinds, ["single", "multiple", "single", "scale", "number", "ranking", "points", "wordcloud", "quiz"]);
    assert!(deck.slides.iter().any(|slide| slide.scores.is_some()), "and a leaderboard");
    assert!(deck.questions().any(|q| matches!(q.kind, Kind::Multiple(Multiple { max: Some(_) }))));
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
    assert_eq!(question.kind, Kind::Multiple(Multiple { max: Some(2) }));
    assert_eq!(question.options, ["Rust", "Go", "Python"]);
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
fn every_kind_reads_its_settings_and_list() {
    let deck = parse(
        "<!-- question: scale min=0 max=10 labels=\"Not at all|Completely\" time=30 results=phones -->\n# How was it?\n- Content\n- Delivery\n\
         ---\n<!-- question: scale -->\n# Rate the venue\n\
         ---\n<!-- question: number min=-5 max=2.5 answer=1.25 -->\n# Guess\n\n- a list here\n- stays text\n\
         ---\n<!-- question: ranking -->\n# Order\n- A\n- B\n\
         ---\n<!-- question: points total=10 -->\n# Spend\n- A\n- B\n",
    )
    .expect("deck");
    let questions: Vec<&Question> = deck.questions().collect();
    assert_eq!(
        questions[0].kind,
        Kind::Scale(Scale { min: 0, max: 10, labels: Some(("Not at all".into(), "Completely".into())) })
    );
    assert_eq!((questions[0].time, questions[0].results_on_phones), (Some(30), true));
    assert_eq!(questions[0].options, ["Content", "Delivery"]);
    assert!(questions[1].options.is_empty(), "a scale without a list rates the question itself");
    assert_eq!(questions[2].kind, Kind::Number(Number { min: Some(-5.0), max: Some(2.5), answer: Some(1.25) }));
    assert!(questions[2].options.is_empty());
    assert!(deck.slides[2].body.contains("- a list here"), "a number question leaves its list in the slide");
    assert_eq!(questions[3].kind.name(), "ranking");
    assert_eq!(questions[4].kind.name(), "points");
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
        ("<!-- question: single max=2 -->\n# Q\n- a\n- b\n", 1, "unknown setting `max` for a single question"),
        (
            "<!-- question: multiple max=3 -->\n# Q\n- a\n- b\n",
            1,
            "max=3 must be between 1 and the number of options (2)",
        ),
        ("<!-- question: multiple max=two -->\n# Q\n- a\n- b\n", 1, "is not a whole number"),
        ("<!-- question: multiple colour=red -->\n# Q\n- a\n- b\n", 1, "unknown setting `colour`"),
        ("<!-- question: multiple stray -->\n# Q\n- a\n- b\n", 1, "unknown setting `stray`"),
        ("<!-- question: scale min=3 max=2 -->\n# Q\n", 1, "max=2 must be greater than min=3"),
        ("<!-- question: scale max=11 min=0 -->\n# Q\n", 1, "at most 11 points"),
        ("<!-- question: scale labels=\"Low\" -->\n# Q\n", 1, "two words split by `|`"),
        ("<!-- question: scale labels=\"Low|High -->\n# Q\n", 1, "never closed"),
        ("<!-- question: number answer=many -->\n# Q\n", 1, "answer=many is not a number"),
        ("<!-- question: number min=0 max=10 answer=11 -->\n# Q\n", 1, "outside min and max"),
        ("<!-- question: ranking -->\n# Q\n\n- only\n", 4, "at least two items"),
        ("<!-- question: points total=0 -->\n# Q\n- a\n- b\n", 1, "total=0 is out of range"),
        ("<!-- question: points time=0 -->\n# Q\n- a\n- b\n", 1, "time=0 is out of range"),
        ("<!-- question: single results=all -->\n# Q\n- a\n- b\n", 1, "results=all"),
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

#[test]
fn a_decks_blocklist_keeps_its_words_off_the_cloud() {
    use crate::question::{Answer, Audience, Results};
    let text = "---\ntitle: Team day\nblocklist: Marmite, brussels sprouts\n---\n\n<!-- question: wordcloud max=3 -->\n# Lunch?\n";
    let deck = parse_deck("t.md", text).expect("deck");
    let question = deck.questions().next().expect("question");
    let mut results = Results::new(question);
    results.replace(None, &Answer::Words(vec!["marmite".into(), "Brussels sprouts".into(), "pasta".into()]));
    let view = results.view(question, Audience::Presenter);
    assert_eq!(view["words"], serde_json::json!([{"text": "pasta", "count": 1}]), "{view}");
    assert_eq!(view["filtered"], 2);

    let long = format!("---\nblocklist: {}\n---\n\n# Hi\n", "x".repeat(61));
    assert!(parse_deck("t.md", &long).is_err_and(|e| e.line == 2 && e.message.contains("blocklist")));
}

#[test]
fn reactions_default_to_five_and_a_deck_may_choose_or_turn_them_off() {
    let deck = |front: &str| parse_deck("t.md", &format!("---\n{front}\n---\n\n# Hi\n"));
    assert_eq!(deck("title: x").expect("deck").reactions, ["👏", "❤️", "😂", "😮", "🤔"]);
    assert_eq!(deck("reactions: 🎉, 👍 🎉").expect("deck").reactions, ["🎉", "👍"]);
    assert!(deck("reactions: off").expect("deck").reactions.is_empty());
    assert!(deck("reactions: 🎉 yay").is_err_and(|e| e.line == 2 && e.message.contains("yay")));
    assert!(deck("reactions: 1 2 3 4 5 6 7 8 9").is_err());
    assert!(deck("reactions: 😀 😁 😂 🤣 😃 😄 😅 😆 😉").is_err_and(|e| e.message.contains("at most 8")));
}

#[test]
fn the_audience_qa_keeps_its_id_to_itself() {
    assert!(parse_deck("t.md", "<!-- question: open id=qa -->\n# Ideas?\n").is_err_and(|e| e.message.contains("id=qa")));
    let deck = parse_deck("t.md", "<!-- question: open -->\n# QA\n").expect("deck");
    assert_eq!(deck.questions().next().map(|q| q.id.as_str()), Some("qa-2"));
}

#[test]
fn quiz_directives_and_scores_slides_are_read_and_bad_ones_refused_with_their_line() {
    let deck = parse_deck(
        "q.md",
        "---\nnicknames: true\n---\n\n# Warm-up\n\n---\n\n<!-- question: quiz -->\n# 2 + 2?\n\n- [ ] 3\n- [x] 4\n- [X] four\n\n---\n\n<!-- leaderboard -->\n# Scores\n",
    )
    .expect("deck");
    let quiz = deck.question_at(1).expect("quiz");
    assert_eq!(quiz.options, ["3", "4", "four"]);
    assert_eq!(quiz.countdown(), Some(20), "time=20 by default");
    assert!(matches!(&quiz.kind, crate::question::Kind::Quiz(q) if q.correct == [1, 2] && q.points == 1000));
    assert_eq!(deck.slides[2].scores, Some(crate::deck::Scores::Leaderboard));
    assert!(deck.nicknames);
    let typed =
        parse_deck("t.md", "<!-- question: quiz-text answer=\"Paris|Paris, France\" -->\n# Capital?\n").expect("deck");
    assert_eq!(typed.question_at(0).and_then(|q| q.countdown()), Some(30));
    for (source, line, says) in [
        ("<!-- question: quiz -->\n# Q?\n\n- A\n- B\n", 4, "correct option marked"),
        ("<!-- question: quiz points=-1 -->\n# Q?\n\n- [x] A\n- B\n", 1, "out of range"),
        ("# Intro\n\n---\n\n<!-- question: quiz-text -->\n# Q?\n", 5, "needs `answer=`"),
        ("<!-- question: quiz-text answer=\"|\" -->\n# Q?\n", 1, "empty"),
        ("<!-- leaderboard -->\n<!-- question: single -->\n# Q?\n\n- A\n- B\n", 1, "not both"),
        ("<!-- leaderboard -->\n<!-- podium -->\n# Scores\n", 2, "not both"),
        ("---\nnicknames: maybe\n---\n# T\n", 2, "expected `true` or `false`"),
        ("---\ntitle: T\nphones: everything\n---\n# T\n", 3, "expected `slides`"),
    ] {
        let error = parse_deck("bad.md", source).expect_err(source);
        assert_eq!(error.line, line, "{error}");
        assert!(error.message.contains(says), "{error} should say {says}");
    }
}

#[test]
fn phones_show_a_slide_picture_only_when_the_deck_asks() {
    let source = "---\nphones: slides\n---\n\n# Map\n\n![Map](img/map.png)\n\n---\n\n\
        ![](talk.pdf#page=2)\n\n---\n\n# Words only\n\n---\n\n<!-- question: single -->\n# Q?\n- A\n- B\n\n---\n\n![](https://example.org/x.png)\n";
    let deck = parse_deck("talk.md", source).expect("deck");
    assert!(deck.phones_slides);
    let pictures: Vec<Option<String>> = (0..6).map(|index| deck.phone_picture(index)).collect();
    assert_eq!(
        pictures,
        [Some("img/map.png".into()), Some("talk.pdf#page=2".into()), None, None, None, None],
        "a picture beside the deck or a PDF page; never for words only, a question, a web address or past the end"
    );
    let plain = parse_deck("talk.md", &source.replace("phones: slides", "phones: off")).expect("deck");
    assert!(!plain.phones_slides && plain.phone_picture(0).is_none());
}

#[test]
fn the_deck_may_set_the_phones_language() {
    let deck = parse_deck("talk.md", "---\nlang: pt-BR\n---\n# Olá\n").expect("deck");
    assert_eq!(deck.lang.as_deref(), Some("pt-BR"));
    assert_eq!(parse_deck("talk.md", "# Hello\n").expect("deck").lang, None);
    assert_eq!(parse_deck("talk.md", "---\nlang: \"\"\n---\n# Hello\n").expect("deck").lang, None);
    for bad in ["german", "d", "de_DE", "de-", "<b>"] {
        let error = parse_deck("bad.md", &format!("---\nlang: {bad}\n---\n# T\n")).expect_err(bad);
        assert_eq!(error.line, 2, "{error}");
        assert!(error.message.contains("expected a language tag"), "{error}");
    }
}
