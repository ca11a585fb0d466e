//! The menus' words in the system's language, for the languages the pages speak; English otherwise.

/// Languages with menu words, by primary subtag; the pages (phone, projector, presenter) have the same set.
const LANGUAGES: [&str; 8] = ["en", "de", "fr", "es", "it", "nl", "pt", "pl"];

/// Every word of the menus, one column per language in [`LANGUAGES`] order.
const WORDS: &[[&str; 8]] = &[
    ["File", "Datei", "Fichier", "Archivo", "File", "Bestand", "Ficheiro", "Plik"],
    [
        "New Deck",
        "Neue Präsentation",
        "Nouvelle présentation",
        "Nueva presentación",
        "Nuova presentazione",
        "Nieuwe presentatie",
        "Nova apresentação",
        "Nowa prezentacja",
    ],
    [
        "Open Deck…",
        "Präsentation öffnen…",
        "Ouvrir une présentation…",
        "Abrir presentación…",
        "Apri presentazione…",
        "Presentatie openen…",
        "Abrir apresentação…",
        "Otwórz prezentację…",
    ],
    [
        "Open Recent",
        "Zuletzt geöffnet",
        "Ouvrir un fichier récent",
        "Abrir reciente",
        "Apri recenti",
        "Recent geopend",
        "Abrir recente",
        "Otwórz ostatnie",
    ],
    [
        "No recent decks",
        "Keine zuletzt geöffneten",
        "Aucune présentation récente",
        "Ninguna presentación reciente",
        "Nessuna presentazione recente",
        "Geen recente presentaties",
        "Nenhuma apresentação recente",
        "Brak ostatnich prezentacji",
    ],
    [
        "Edit Deck…",
        "Präsentation bearbeiten…",
        "Modifier la présentation…",
        "Editar presentación…",
        "Modifica presentazione…",
        "Presentatie bewerken…",
        "Editar apresentação…",
        "Edytuj prezentację…",
    ],
    [
        "Export Results…",
        "Ergebnisse exportieren…",
        "Exporter les résultats…",
        "Exportar resultados…",
        "Esporta risultati…",
        "Resultaten exporteren…",
        "Exportar resultados…",
        "Eksportuj wyniki…",
    ],
    [
        "Print Report…",
        "Bericht drucken…",
        "Imprimer le rapport…",
        "Imprimir informe…",
        "Stampa resoconto…",
        "Rapport afdrukken…",
        "Imprimir relatório…",
        "Drukuj raport…",
    ],
    ["Sessions…", "Sitzungen…", "Sessions…", "Sesiones…", "Sessioni…", "Sessies…", "Sessões…", "Sesje…"],
    ["Quit", "Beenden", "Quitter", "Salir", "Esci", "Afsluiten", "Sair", "Zakończ"],
    ["Slides", "Folien", "Diapositives", "Diapositivas", "Diapositive", "Dia's", "Diapositivos", "Slajdy"],
    [
        "Next Slide",
        "Nächste Folie",
        "Diapositive suivante",
        "Diapositiva siguiente",
        "Diapositiva successiva",
        "Volgende dia",
        "Diapositivo seguinte",
        "Następny slajd",
    ],
    [
        "Previous Slide",
        "Vorherige Folie",
        "Diapositive précédente",
        "Diapositiva anterior",
        "Diapositiva precedente",
        "Vorige dia",
        "Diapositivo anterior",
        "Poprzedni slajd",
    ],
    [
        "First Slide",
        "Erste Folie",
        "Première diapositive",
        "Primera diapositiva",
        "Prima diapositiva",
        "Eerste dia",
        "Primeiro diapositivo",
        "Pierwszy slajd",
    ],
    [
        "Open Voting",
        "Abstimmung öffnen",
        "Ouvrir le vote",
        "Abrir votación",
        "Apri votazione",
        "Stemmen openen",
        "Abrir votação",
        "Otwórz głosowanie",
    ],
    [
        "Close Voting",
        "Abstimmung schließen",
        "Fermer le vote",
        "Cerrar votación",
        "Chiudi votazione",
        "Stemmen sluiten",
        "Fechar votação",
        "Zamknij głosowanie",
    ],
    [
        "Show Results",
        "Ergebnisse zeigen",
        "Afficher les résultats",
        "Mostrar resultados",
        "Mostra risultati",
        "Resultaten tonen",
        "Mostrar resultados",
        "Pokaż wyniki",
    ],
    [
        "Hide Results",
        "Ergebnisse ausblenden",
        "Masquer les résultats",
        "Ocultar resultados",
        "Nascondi risultati",
        "Resultaten verbergen",
        "Ocultar resultados",
        "Ukryj wyniki",
    ],
    [
        "Black Screen",
        "Bildschirm schwarz",
        "Écran noir",
        "Pantalla en negro",
        "Schermo nero",
        "Zwart scherm",
        "Ecrã preto",
        "Czarny ekran",
    ],
    [
        "Show the Slide Again",
        "Folie wieder zeigen",
        "Réafficher la diapositive",
        "Volver a mostrar la diapositiva",
        "Mostra di nuovo la diapositiva",
        "Dia weer tonen",
        "Mostrar novamente o diapositivo",
        "Pokaż slajd ponownie",
    ],
    ["View", "Ansicht", "Affichage", "Ver", "Vista", "Beeld", "Ver", "Widok"],
    [
        "Presenter View",
        "Referentenansicht",
        "Mode présentateur",
        "Vista del presentador",
        "Vista relatore",
        "Presentatorweergave",
        "Vista do apresentador",
        "Widok prezentera",
    ],
    [
        "Projector Window",
        "Projektorfenster",
        "Fenêtre du projecteur",
        "Ventana del proyector",
        "Finestra del proiettore",
        "Projectorvenster",
        "Janela do projetor",
        "Okno projektora",
    ],
    [
        "Projector Full Screen",
        "Projektor im Vollbild",
        "Projecteur en plein écran",
        "Proyector a pantalla completa",
        "Proiettore a schermo intero",
        "Projector schermvullend",
        "Projetor em ecrã inteiro",
        "Projektor na pełnym ekranie",
    ],
    [
        "Network and Phones…",
        "Netzwerk und Handys…",
        "Réseau et téléphones…",
        "Red y móviles…",
        "Rete e telefoni…",
        "Netwerk en telefoons…",
        "Rede e telemóveis…",
        "Sieć i telefony…",
    ],
];

/// The menus' language: the system's, when the pages speak it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Words {
    column: usize,
}

impl Words {
    /// The system's language (its first preference the menus have), else English.
    pub fn system() -> Self {
        Words::for_tags(sys_locale::get_locales())
    }

    /// The first of `tags` (`de-CH`, `pt_BR.UTF-8`, `fr`) the menus have, else English.
    fn for_tags(tags: impl IntoIterator<Item = String>) -> Self {
        let column = tags
            .into_iter()
            .find_map(|tag| {
                let primary = tag.split(['-', '_', '.', '@']).next().unwrap_or_default().to_ascii_lowercase();
                LANGUAGES.iter().position(|code| *code == primary)
            })
            .unwrap_or(0);
        Words { column }
    }

    /// `english` in the menus' language; itself when the table does not hold it.
    pub fn say(self, english: &'static str) -> &'static str {
        WORDS.iter().find(|row| row[0] == english).map_or(english, |row| row[self.column])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_language_picks_the_column_and_english_is_the_rest() {
        let german = Words::for_tags(["de_CH.UTF-8".to_string()]);
        assert_eq!(german.say("Open Voting"), "Abstimmung öffnen");
        let polish = Words::for_tags(["ja-JP".to_string(), "pl-PL".to_string()]);
        assert_eq!(polish.say("Quit"), "Zakończ");
        let other = Words::for_tags(["ja-JP".to_string()]);
        assert_eq!(other.say("Quit"), "Quit");
        assert_eq!(german.say("not a menu word"), "not a menu word");
    }

    #[test]
    fn every_word_is_translated_once() {
        let mut seen = std::collections::HashSet::new();
        for row in WORDS {
            assert!(seen.insert(row[0]), "{} twice", row[0]);
            assert!(row.iter().all(|word| !word.is_empty()), "{row:?}");
            // An ellipsis opens a dialog or window in every language alike.
            assert!(row.iter().all(|word| word.ends_with('…') == row[0].ends_with('…')), "{row:?}");
        }
    }
}
