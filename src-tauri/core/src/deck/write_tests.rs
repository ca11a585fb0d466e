//! Round trips through the deck editor's writer.

use proptest::prelude::*;

use super::*;

const HAND_WRITTEN: &str = "---\nmarp: true\ntitle: Friday workshop\ntheme: gaia\n---\n\n# Welcome!\n\nScan   the code.\n\n\n<!-- Wait for\n     the room. -->\n\n---\n\n<!-- question: single -->\n# Coffee or tea?\n\n* Coffee\n* Tea\n\n---   \n\n## Plain *end*\n";

fn edit(source: &str) -> (Deck, EditedDeck) {
    let deck = parse_deck("talk.md", source).expect("deck parses");
    let edited = EditedDeck { title: deck.title.clone(), slides: deck_forms(&deck) };
    (deck, edited)
}

fn save(source: &str, deck: &Deck, edited: &EditedDeck) -> Result<(String, Deck), FormError> {
    write_deck(Some(Original { source, deck }), edited, "talk.md")
}

fn question(title: &str, options: &[&str]) -> SlideForm {
    SlideForm {
        original: None,
        kind: "single".into(),
        title: title.into(),
        text: String::new(),
        notes: String::new(),
        options: options.iter().map(|o| o.to_string()).collect(),
        settings: Default::default(),
        id: None,
        answers: 0,
        qa: false,
        scores: None,
    }
}

#[test]
fn an_edited_qa_slide_keeps_showing_the_qa() {
    let source = "---\ntitle: Talk\nqa: true\n---\n\n# Your questions\n\n<!-- qa -->\n";
    let (deck, mut edited) = edit(source);
    assert!(edited.slides[0].qa);
    edited.slides[0].title = "Ask us anything".into();
    let (written, read) = save(source, &deck, &edited).expect("saved");
    assert!(written.contains("# Ask us anything\n\n<!-- qa -->\n"), "{written}");
    assert!(read.slides[0].qa);
}

#[test]
fn a_quiz_keeps_its_marks_settings_and_scores_slides_through_the_editor() {
    let source = "---\ntitle: Quiz\n---\n\n<!-- question: quiz time=15 points=500 -->\n# Capital of France?\n\n- [x] Paris\n- [ ] Lyon\n\n---\n\n<!-- question: quiz-text answer=\"Bern|Berne\" -->\n# Swiss capital?\n\n---\n\n# Scores\n\n<!-- leaderboard -->\n\n---\n\n# Winners\n\n<!-- podium -->\n";
    let (deck, mut edited) = edit(source);
    assert_eq!(edited.slides[0].options, ["[x] Paris", "[ ] Lyon"], "the form carries the marks");
    assert_eq!(edited.slides[2].scores, Some(crate::deck::Scores::Leaderboard));
    // The presenter marks Lyon right instead, and edits the other slides' titles.
    edited.slides[0].options = vec!["[ ] Paris".into(), "[x] Lyon".into(), "Marseille".into()];
    edited.slides[1].title = "Capital of Switzerland?".into();
    edited.slides[2].title = "Top ten".into();
    edited.slides[3].title = "The winners".into();
    let (written, read) = save(source, &deck, &edited).expect("saved");
    assert!(written.contains("<!-- question: quiz points=500 time=15 -->\n# Capital of France?\n\n- [ ] Paris\n- [x] Lyon\n- [ ] Marseille"), "{written}");
    assert!(
        written.contains("<!-- question: quiz-text answer=Bern|Berne id=swiss-capital -->\n# Capital of Switzerland?"),
        "{written}"
    );
    assert!(written.contains("# Top ten\n\n<!-- leaderboard -->"), "{written}");
    assert!(written.contains("# The winners\n\n<!-- podium -->"), "{written}");
    let quiz = read.question_at(0).expect("quiz");
    assert_eq!(quiz.options, ["Paris", "Lyon", "Marseille"], "options keep their text only");
    assert!(matches!(&quiz.kind, crate::question::Kind::Quiz(q) if q.correct == [1] && q.points == 500));
    assert_eq!(read.slides[3].scores, Some(crate::deck::Scores::Podium));
    assert!(read.nicknames, "a deck with a quiz asks for nicknames");
}

#[test]
fn an_untouched_deck_is_written_back_byte_for_byte() {
    for source in [HAND_WRITTEN, DEMO_DECK, &HAND_WRITTEN.replace('\n', "\r\n")] {
        let (deck, edited) = edit(source);
        let (written, _) = save(source, &deck, &edited).expect("saves");
        assert_eq!(written, source);
    }
}

#[test]
fn adding_a_question_keeps_the_other_slides_as_written() {
    let (deck, mut edited) = edit(HAND_WRITTEN);
    edited.slides.insert(2, question("Which city?", &["Oslo", "Lima", "Pune"]));
    let (written, read) = save(HAND_WRITTEN, &deck, &edited).expect("saves");
    assert!(written.starts_with(&HAND_WRITTEN[..HAND_WRITTEN.find("---   ").unwrap_or(0)]), "{written}");
    assert!(written.ends_with("## Plain *end*\n"), "{written}");
    assert!(written.contains("<!-- question: single -->\n# Which city?\n\n- Oslo\n- Lima\n- Pune\n"), "{written}");
    assert_eq!(read.slides.len(), 4);
    assert_eq!(read.slides[2].question.as_ref().map(|q| q.id.as_str()), Some("which-city"));
    assert_eq!(deck_forms(&read)[..2], deck_forms(&deck)[..2]);
}

#[test]
fn reordering_moves_raw_text_and_keeps_it_readable() {
    let (deck, mut edited) = edit(HAND_WRITTEN);
    edited.slides.reverse();
    let (written, read) = save(HAND_WRITTEN, &deck, &edited).expect("saves");
    assert!(written.contains("Scan   the code."), "{written}");
    assert!(written.contains("* Coffee\n* Tea\n"), "{written}");
    let titles: Vec<_> = deck_forms(&read).into_iter().map(|f| f.title).collect();
    assert_eq!(titles, ["Plain *end*", "Coffee or tea?", "Welcome!"]);
}

#[test]
fn rewording_a_question_keeps_its_id_so_answers_stay_attached() {
    let (deck, mut edited) = edit(HAND_WRITTEN);
    edited.slides[1].title = "Coffee, tea or water?".into();
    let (written, read) = save(HAND_WRITTEN, &deck, &edited).expect("saves");
    assert!(written.contains("<!-- question: single id=coffee-or-tea -->"), "{written}");
    assert_eq!(read.slides[1].question.as_ref().map(|q| q.id.as_str()), Some("coffee-or-tea"));
}

#[test]
fn changing_the_title_rewrites_only_the_title_line() {
    let (deck, mut edited) = edit(HAND_WRITTEN);
    edited.title = "Saturday: \"hands on\"".into();
    let (written, read) = save(HAND_WRITTEN, &deck, &edited).expect("saves");
    assert!(written.starts_with("---\nmarp: true\ntitle: 'Saturday: \"hands on\"'\ntheme: gaia\n---\n\n# Welcome!"));
    assert_eq!(read.title, "Saturday: \"hands on\"");
}

#[test]
fn a_new_deck_gets_front_matter_and_reads_back() {
    let mut intro = question("", &[]);
    intro.kind = CONTENT.into();
    intro.title = "Hello".into();
    intro.text = "- one\n- two".into();
    intro.notes = "Smile.".into();
    let edited = EditedDeck { title: "New talk".into(), slides: vec![intro, question("C# or Rust?", &["C#", "Rust"])] };
    let (written, read) = write_deck(None, &edited, "new.md").expect("saves");
    assert!(
        written.starts_with("---\ntitle: \"New talk\"\n---\n\n# Hello\n\n- one\n- two\n\n<!--\nSmile.\n-->\n\n---\n")
    );
    assert_eq!(read.slides[1].question.as_ref().map(|q| q.prompt.as_str()), Some("C# or Rust?"));
}

#[test]
fn bad_forms_are_refused_with_the_slide_and_a_reason() {
    let (deck, mut edited) = edit(HAND_WRITTEN);
    let cases: Vec<(SlideForm, &str)> = vec![
        (question("One?", &["Only"]), "at least two options"),
        (question("Twice?", &["Yes", "Yes"]), "listed twice"),
        (question("", &["A", "B"]), "question text"),
        (question("Notes <!-- x", &["A", "B"]), "cannot contain"),
        (SlideForm { text: "above\n---\nbelow".into(), kind: CONTENT.into(), ..question("T", &[]) }, "new slide"),
        (
            SlideForm { kind: "multiple".into(), settings: settings(&[("max", "3")]), ..question("Max?", &["A", "B"]) },
            "between 1",
        ),
        (
            SlideForm { kind: "scale".into(), settings: settings(&[("max", "20")]), ..question("Rate", &[]) },
            "at most 11",
        ),
        (
            SlideForm {
                kind: "points".into(),
                settings: settings(&[("total", "lots")]),
                ..question("Spend", &["A", "B"])
            },
            "whole number",
        ),
        (SlideForm { kind: "poll".into(), ..question("Poll?", &["A", "B"]) }, "unknown question kind"),
        (SlideForm { kind: "quiz".into(), ..question("Quiz?", &["A", "B"]) }, "correct option marked"),
    ];
    for (form, reason) in cases {
        edited.slides.push(form);
        let error = save(HAND_WRITTEN, &deck, &edited).expect_err("refused");
        assert_eq!(error.slide, Some(3), "{error}");
        assert!(error.message.contains(reason), "{error} should say {reason}");
        edited.slides.pop();
    }
}

fn settings(pairs: &[(&str, &str)]) -> std::collections::BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn every_problem_names_its_slide_and_field() {
    let edited = EditedDeck {
        title: "T".into(),
        slides: vec![
            SlideForm { kind: "multiple".into(), settings: settings(&[("max", "9")]), ..question("", &["A", "B"]) },
            question("Twice?", &["Yes", "Yes"]),
            SlideForm { kind: "scale".into(), settings: settings(&[("labels", "only one")]), ..question("Rate", &[]) },
            SlideForm { kind: "number".into(), settings: settings(&[("colour", "red")]), ..question("How many?", &[]) },
        ],
    };
    let problems: Vec<(Option<usize>, Option<String>)> =
        check_forms(&edited).into_iter().map(|p| (p.slide, p.field)).collect();
    assert_eq!(
        problems,
        [
            (Some(0), Some("title".into())),
            (Some(0), Some("settings.max".into())),
            (Some(1), Some("options.1".into())),
            (Some(2), Some("settings.labels".into())),
            (Some(3), Some("settings.colour".into())),
        ]
    );
}

#[test]
fn common_problems_carry_a_code_and_their_values() {
    let edited = EditedDeck {
        title: "T".into(),
        slides: vec![
            SlideForm { settings: settings(&[("time", "0")]), ..question("Quick?", &["A", "B"]) },
            question("Which?", &["Only"]),
            SlideForm { kind: "number".into(), settings: settings(&[("bad name", "1")]), ..question("How many?", &[]) },
            SlideForm { kind: "scale".into(), settings: settings(&[("labels", "only one")]), ..question("Rate", &[]) },
        ],
    };
    let problems = check_forms(&edited);
    let code = |at: usize| problems[at].code.as_ref().map(|c| c.code);
    let vars = |at: usize| -> Vec<(&str, &str)> {
        problems[at].code.as_ref().map(|c| c.vars.iter().map(|(k, v)| (*k, v.as_str())).collect()).unwrap_or_default()
    };
    assert_eq!((code(0), vars(0)), (Some("setting.out_of_range"), vec![("max", "3600"), ("min", "1")]));
    assert_eq!((code(1), vars(1)), (Some("list.too_short"), vec![("n", "2")]));
    // A problem the editor's forms cannot make keeps its English sentence alone.
    assert_eq!(code(2), None, "{}", problems[2].message);
    assert_eq!(code(3), Some("scale.labels_two"));
    let wire = serde_json::to_value(&problems).expect("json");
    assert_eq!(wire[1]["code"], "list.too_short");
    assert_eq!(wire[1]["vars"]["n"], "2");
    assert!(wire[2].get("code").is_none() && wire[2].get("vars").is_none(), "{wire}");
}

#[test]
fn every_kind_is_written_with_its_settings_and_reads_back() {
    let forms = vec![
        SlideForm {
            kind: "scale".into(),
            settings: settings(&[("labels", "Not at all|Completely"), ("min", "0"), ("max", "10")]),
            ..question("Rate", &["Content", "Delivery"])
        },
        SlideForm {
            kind: "number".into(),
            settings: settings(&[("answer", "42.50"), ("time", "30"), ("results", "phones")]),
            ..question("How many?", &[])
        },
        SlideForm { kind: "ranking".into(), ..question("Order", &["A", "B", "C"]) },
        SlideForm { kind: "points".into(), settings: settings(&[("total", "10")]), ..question("Spend", &["A", "B"]) },
    ];
    let edited = EditedDeck { title: "Kinds".into(), slides: forms };
    let (written, read) = write_deck(None, &edited, "kinds.md").expect("saves");
    assert!(written.contains("<!-- question: scale min=0 max=10 labels=\"Not at all|Completely\" -->"), "{written}");
    assert!(written.contains("<!-- question: number answer=42.5 time=30 results=phones -->"), "{written}");
    assert!(written.contains("<!-- question: ranking -->"));
    assert!(written.contains("<!-- question: points total=10 -->"));
    let kinds: Vec<&str> = read.questions().map(|q| q.kind.name()).collect();
    assert_eq!(kinds, ["scale", "number", "ranking", "points"]);
}

fn text_strategy() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        "[a-zA-Z0-9]{1,8}",
        Just("*bold*".to_string()),
        Just("`code`".to_string()),
        Just("C#".to_string()),
        Just("é".to_string()),
        Just("<b>".to_string()),
        Just("#tag".to_string()),
    ];
    let line = prop::collection::vec(word, 1..6).prop_map(|words| words.join(" "));
    let line = prop_oneof![line.clone(), line.prop_map(|l| format!("- {l}")), Just(String::new())];
    prop::collection::vec(line, 0..5).prop_map(|lines| lines.join("\n"))
}

fn form_strategy() -> impl Strategy<Value = SlideForm> {
    let options = prop::collection::btree_set("[a-zA-Z0-9 ?!]{1,20}", 2..6).prop_map(|set| {
        // Options are compared trimmed, so `a ` and `a` are the same option: keep one.
        let mut seen = std::collections::BTreeSet::new();
        set.into_iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty() && seen.insert(o.clone()))
            .collect::<Vec<_>>()
    });
    let statements = prop_oneof![Just(Vec::new()), options.clone()];
    let common = (prop::option::of(1u32..600), any::<bool>());
    let kind = prop_oneof![
        Just((CONTENT.to_string(), Vec::new())),
        Just(("single".to_string(), Vec::new())),
        prop::option::of(1u8..3)
            .prop_map(|max| ("multiple".to_string(), max.map(|m| ("max", m.to_string())).into_iter().collect())),
        (-2i64..3, 1i64..11, any::<bool>()).prop_map(|(min, span, labels)| {
            let mut s = vec![("min", min.to_string()), ("max", (min + span).to_string())];
            if labels {
                s.push(("labels", "Not at all|Very much so".to_string()));
            }
            ("scale".to_string(), s)
        }),
        (-100i32..0, 4i32..100, prop::option::of(0u8..3)).prop_map(|(min, max, answer)| {
            let mut s = vec![("min", min.to_string()), ("max", max.to_string())];
            s.extend(answer.map(|a| ("answer", format!("{}.25", a))));
            ("number".to_string(), s)
        }),
        Just(("ranking".to_string(), Vec::new())),
        (1i64..500).prop_map(|total| ("points".to_string(), vec![("total", total.to_string())])),
    ];
    (kind, common, "[a-zA-Z0-9 ?#]{0,30}", text_strategy(), text_strategy(), options, statements).prop_map(
        |((kind, own), (time, phones), title, text, notes, options, statements)| {
            let mut settings: std::collections::BTreeMap<String, String> =
                own.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            if kind != CONTENT {
                settings.extend(time.map(|t| ("time".to_string(), t.to_string())));
                if phones {
                    settings.insert("results".into(), "phones".into());
                }
            }
            let options = match kind.as_str() {
                "scale" => statements,
                "number" | CONTENT => Vec::new(),
                _ => options,
            };
            // A multiple-choice `max` may not exceed the options.
            if kind == "multiple"
                && settings.get("max").is_some_and(|m| m.parse::<usize>().unwrap_or(0) > options.len())
            {
                settings.clear();
            }
            let title = if kind == CONTENT { title } else { format!("Q {title}") };
            SlideForm {
                original: None,
                kind,
                title,
                text,
                notes,
                options,
                settings,
                id: None,
                answers: 0,
                qa: false,
                scores: None,
            }
        },
    )
}

proptest! {
    #[test]
    fn whatever_the_editor_writes_reads_back_as_the_same_deck(
        slides in prop::collection::vec(form_strategy(), 1..6)
    ) {
        // Trimming and merging duplicates may leave a list too short for its kind.
        let slides: Vec<SlideForm> = slides
            .into_iter()
            .filter(|s| !matches!(s.kind.as_str(), "single" | "multiple" | "ranking" | "points") || s.options.len() >= 2)
            .collect();
        prop_assume!(slides.iter().any(|s| !s.title.trim().is_empty() || !s.text.trim().is_empty() || s.is_question()));
        let edited = EditedDeck { title: "Generated".into(), slides };
        let (written, read) = write_deck(None, &edited, "gen.md").map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(read.slides.len(), edited.slides.len(), "{}", written);
        // And writing what was read changes nothing.
        let again = EditedDeck { title: read.title.clone(), slides: deck_forms(&read) };
        let (rewritten, _) = write_deck(Some(Original { source: &written, deck: &read }), &again, "gen.md")
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(rewritten, written);
    }
}
