// The desktop windows (presenter view and projector) in the system's language. The tables
// (ui/lang/*.js): the keys English has, each a line or exactly the plural forms of its language,
// the same placeholders; every key the pages ask for is in them. Then in Chromium launched in
// German, Polish and French: the projector's join banner, a results summary with a plural and
// the presenter's controls in that language, and the presenter's network panel, troubleshooting
// and moderation queue, and the Sessions window; English when the browser speaks none of the eight.
// The deck editor: its own words, and the question kinds and settings the server describes in
// English, in German and Polish from the tables (English by default); en.js has the server's English for
// every kind and setting, word for word.
// Screenshots: target/test-screenshots/projector-{de,pl}.png, editor-{de,pl}.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  Socket, TIMEOUT, cleanUp, eventually, launchChromium, origin, pagesFromDisk, repo, shots, startOnDeck, text,
} from './lib.mjs';

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl'];
const UI = path.join(repo, 'ui');

// A table is an ES module exporting a plain object: loaded from its text, as the page loads it.
async function table(lang) {
  const source = fs.readFileSync(path.join(UI, 'lang', `${lang}.js`), 'utf8');
  return (await import(`data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`)).default;
}

const forms = (value) => (typeof value === 'string' ? [value] : Object.values(value));
const placeholders = (value) => new Set(forms(value).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])));

test('every table has the keys English has, each a line or the plural forms of its language', async () => {
  const en = await table('en');
  for (const lang of LANGUAGES) {
    const strings = await table(lang);
    assert.deepEqual(Object.keys(strings).sort(), Object.keys(en).sort(), `${lang}: the keys`);
    const cardinal = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
    const ordinal = new Intl.PluralRules(lang, { type: 'ordinal' }).resolvedOptions().pluralCategories.slice().sort();
    for (const [key, value] of Object.entries(strings)) {
      // A language may need plural forms where English needs none, or none where English does;
      // a plural entry has exactly its language's forms (places in a ranking: the ordinal ones).
      if (typeof value !== 'string') {
        assert.equal(typeof value, 'object', `${lang}.${key}`);
        assert.deepEqual(Object.keys(value).sort(), key === 'ordinal' ? ordinal : cardinal, `${lang}.${key}: the plural forms of ${lang}`);
      }
      for (const line of forms(value)) {
        assert.equal(typeof line, 'string', `${lang}.${key}`);
        // Not blank, nothing trailing (a French " ; et…" may start with its space).
        assert.ok(line.trim() && line === line.trimEnd(), `${lang}.${key}: ${JSON.stringify(line)}`);
      }
      const mine = placeholders(value);
      const english = placeholders(en[key]);
      for (const name of mine) assert.ok(english.has(name), `${lang}.${key}: {${name}} is not in English`);
      for (const name of english) if (name !== 'n') assert.ok(mine.has(name), `${lang}.${key}: {${name}} is missing`);
      if (typeof value !== 'string' && english.has('n')) assert.ok(value.other.includes('{n}'), `${lang}.${key}: the count`);
    }
  }
});

test('every key the presenter and projector ask for is in the tables', async () => {
  const en = await table('en');
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) { if (entry.name !== 'lang') walk(file); } else if (/\.(js|html)$/.test(entry.name)) files.push(file);
    }
  };
  walk(UI);
  const used = new Set();
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const m of source.matchAll(/\b(?:t|plural|count)\((?:[^,()]+, )?'([a-z]+\.[A-Za-z.]+|ordinal)'/g)) used.add(m[1]);
    for (const m of source.matchAll(/data-i18n(?:-label|-title|-alt|-placeholder)?="([^"]+)"/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, `found ${used.size} keys`);
  for (const key of used) assert.ok(Object.hasOwn(en, key), `${key} is not in ui/lang/en.js`);
});

// ---- In Chromium ----

const DECK = `---
title: Languages
---

# Welcome

---

<!-- question: single id=travel -->
# How did you get here?

- On foot
- By bike
- By car

---

<!-- question: single id=lunch -->
# Lunch?

- Pizza
- Salad
`;

describe('in Chromium', () => {
let server;
let desk;
const phones = [];
const token = () => new URL(server.presenter).searchParams.get('token');

before(async () => {
  server = await startOnDeck('desktop-languages', DECK);
  fs.mkdirSync(shots, { recursive: true });
  desk = new Socket(`ws://${new URL(server.presenter).host}/ws?token=${token()}`, origin(server.presenter));
  await desk.opened;
  for (let i = 0; i < 5; i++) {
    const phone = new Socket(`ws://${new URL(server.participant).host}/ws`, origin(server.participant));
    await phone.opened;
    phone.send({ type: 'hello', participant: `lang-phone-${i}` });
    await eventually('the phone\'s first state', () => !!phone.last('state'), true);
    phones.push(phone);
  }
  // Two answers to the first question, five to the second; voting closed on both.
  for (const [slide, question, voters] of [[1, 'travel', 2], [2, 'lunch', 5]]) {
    desk.send({ type: 'goto', slide });
    await eventually(`slide ${slide + 1}`, () => desk.last('state')?.slide, slide);
    desk.send({ type: 'open_voting' });
    await eventually(`voting on ${question}`, () => desk.last('state')?.voting, 'open');
    for (const phone of phones.slice(0, voters)) {
      const reply = await phone.request({ type: 'vote', question, answer: { choices: [voters === 2 ? 0 : 1] } }, ['ack']);
      assert.equal(reply.type, 'ack', JSON.stringify(reply));
    }
    desk.send({ type: 'close_voting' });
    await eventually(`voting closed on ${question}`, () => desk.last('state')?.voting, 'closed');
  }
  desk.send({ type: 'goto', slide: 1 });
  await eventually('back on the first question', () => desk.last('state')?.slide, 1);
});

after(async () => {
  desk?.ws.terminate();
  for (const phone of phones) phone.ws.terminate();
  await cleanUp({ server: server?.child, exited: server?.exited, dataDir: server?.dataDir });
});

// The presenter view and the projector in a browser speaking `flag` (none: Chromium's default),
// with the context's locale `locale`.
async function windows(flag, locale) {
  const browser = await launchChromium(flag ? [`--lang=${flag}`] : []);
  const context = await browser.newContext({ locale, viewport: { width: 1920, height: 1080 } });
  await pagesFromDisk(context);
  const open = async (url) => {
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.errors = errors;
    await page.goto(url);
    await eventually('the first question on screen', () => text(page, '#slide-number'), '2 / 3');
    return page;
  };
  const presenter = await open(server.presenter);
  const projector = await open(`${server.presenter}&view=projector`);
  return { browser, presenter, projector };
}

// What the room and the speaker read, on the question with two answers (and five phones joined).
const read = (page) => page.evaluate(() => {
  const t = (selector) => document.querySelector(selector).textContent.replace(/\s+/g, ' ').trim();
  return {
    lang: document.documentElement.lang,
    join: t('#join .join-label'),
    joined: t('#join .join-count'),
    summary: t('#summary .respondents'),
    voting: t('#voting-status'),
    hidden: t('#results-hidden'),
    votingButton: t('#voting-toggle'),
    previous: t('#prev'),
    statusAnswers: t('#status-answers'),
    phonesLabel: t('#status .stat:nth-child(3) .stat-label'),
  };
});

// The forms of a plural in the page's own i18n module, for two and five.
const forms25 = (page, key) => page.evaluate(async (key) => {
  const { plural } = await import('/ui/lib/i18n.js');
  return [plural(2, key), plural(5, key)];
}, key);

// The text of the presenter view's `selector`s, hidden or not, spaces folded.
const texts = (page, selectors) => page.evaluate((selectors) => selectors.map((selector) =>
  [...document.querySelectorAll(selector)].map((el) => el.textContent.replace(/\s+/g, ' ').trim())), selectors);

// A row of the moderation queue, drawn by a second queue from the page's own module for a
// flagged Q&A question waiting for approval: its words and the keys on its buttons.
const queueRow = (page) => page.evaluate(async () => {
  const { createModeration } = await import('/ui/moderation.js');
  const queue = createModeration({ send: () => true, say: () => {} });
  queue.onBoard([{ id: 999, question: 'qa', text: 'Une question ?', masked: 'Une q*** ?', flagged: true, state: 'pending', upvotes: 2, at: 0 }]);
  const row = document.querySelector('#queue li.post[data-id="999"]');
  const t = (selector) => row.querySelector(selector).textContent;
  const buttons = [...row.querySelectorAll('button.post-action:not([hidden])')];
  return {
    question: t('.post-question'), votes: t('.post-votes'), state: t('.post-state'), flag: t('.post-flag'), masked: t('.post-masked'),
    keys: buttons.map((b) => b.querySelector('kbd').textContent), labels: buttons.map((b) => b.querySelector('.post-action-label').textContent),
  };
});

async function lookAt(flag, locale, expected, { shot, plurals, panel, row } = {}) {
  const { browser, presenter, projector } = await windows(flag, locale);
  try {
    await eventually(`${locale}: the projector`, () => read(projector).then((r) => ({
      lang: r.lang, join: r.join, joined: r.joined, summary: r.summary, voting: r.voting, hidden: r.hidden,
    })), expected.projector);
    await eventually(`${locale}: the presenter view`, () => read(presenter).then((r) => ({
      lang: r.lang, votingButton: r.votingButton, previous: r.previous, statusAnswers: r.statusAnswers, phonesLabel: r.phonesLabel,
    })), expected.presenter);
    // The deck's own words are never translated.
    assert.equal(await text(projector, '#slide h1'), 'How did you get here?');
    assert.deepEqual(await projector.locator('#bars .label').allTextContents(), ['On foot', 'By bike', 'By car']);
    if (plurals) {
      for (const [key, two, five] of plurals) assert.deepEqual(await forms25(projector, key), [two, five], `${locale}: ${key}`);
    }
    // The side panels, never on the projector: `panel` maps a selector to the texts of its elements.
    if (panel) {
      const selectors = Object.keys(panel);
      await eventually(`${locale}: the network panel, troubleshooting and moderation`,
        async () => Object.fromEntries((await texts(presenter, selectors)).map((found, i) => [selectors[i], found])), panel);
    }
    if (row) assert.deepEqual(await queueRow(presenter), row, `${locale}: a row of the moderation queue`);
    if (shot) {
      // Let the bars finish growing before the picture.
      await projector.waitForTimeout(600);
      await projector.screenshot({ path: path.join(shots, shot) });
    }
    assert.deepEqual([...presenter.errors, ...projector.errors], [], `${locale}: page errors`);
  } finally {
    await browser.close();
  }
}

test('German: the projector and the presenter view', async () => {
  await lookAt('de', 'de-DE', {
    projector: {
      lang: 'de', join: 'Mit dem Handy mitmachen', joined: '5 verbunden', summary: '2 Antworten',
      voting: 'Abstimmung geschlossen', hidden: 'Ergebnisse sind ausgeblendet',
    },
    presenter: { lang: 'de', votingButton: 'Abstimmung öffnen', previous: 'Zurück', statusAnswers: '2 Antworten', phonesLabel: 'Handys' },
  }, {
    shot: 'projector-de.png',
    plurals: [['summary.answers', '2 Antworten', '5 Antworten'], ['network.via', '2 Handys über {address}', '5 Handys über {address}']],
    panel: {
      '#network-via li': ['5 Handys über 127.0.0.1'],
      '#troubleshoot h2': ['Wenn Handys keine Verbindung bekommen'],
      '#troubleshoot li strong': ['Firewall:', 'Client-Isolation:', 'Mobile Daten:', 'Gast- oder zweites Netz:', 'Falsches Netz gewählt:'],
      '#troubleshoot li:nth-child(3)': ['Mobile Daten: Das Handy muss im selben WLAN sein wie dieser Laptop; über mobile Daten lässt sich die Adresse nicht öffnen.'],
      '#troubleshoot li em': ['öffentliche'],
      '#qa-toggle': ['Q&A einschalten'],
    },
  });
});

test('Polish: the projector and the presenter view, with the forms for 2 and for 5', async () => {
  await lookAt('pl', 'pl-PL', {
    projector: {
      lang: 'pl', join: 'Dołącz na telefonie', joined: '5 połączonych', summary: '2 odpowiedzi',
      voting: 'Głosowanie zamknięte', hidden: 'Wyniki są ukryte',
    },
    presenter: { lang: 'pl', votingButton: 'Otwórz głosowanie', previous: 'Wstecz', statusAnswers: '2 odpowiedzi', phonesLabel: 'Telefony' },
  }, {
    shot: 'projector-pl.png',
    plurals: [
      ['join.connected', 'połączone', 'połączonych'],
      ['qa.votes', 'głosy', 'głosów'],
      ['standings.pointsOf', '2 punkty', '5 punktów'],
      ['quiz.answered', 'osoby odpowiedziały', 'osób odpowiedziało'],
      ['network.via', '2 telefony przez {address}', '5 telefonów przez {address}'],
      ['moderation.votes', '2 głosy', '5 głosów'],
      ['blocklist.saved', 'Zapisano: 2 słowa. Slajdy wczytają się z nimi ponownie.', 'Zapisano: 5 słów. Slajdy wczytają się z nimi ponownie.'],
    ],
    panel: {
      '#network-via li': ['5 telefonów przez 127.0.0.1'],
      '#troubleshoot h2': ['Gdy telefony nie mogą się połączyć'],
      '#queue-empty': ['Nic nie czeka na zatwierdzenie.'],
    },
  });
});

test('French: the projector and the presenter view', async () => {
  await lookAt('fr', 'fr-FR', {
    projector: {
      lang: 'fr', join: 'Participez sur votre téléphone', joined: '5 connectés', summary: '2 réponses',
      voting: 'Vote fermé', hidden: 'Les résultats sont masqués',
    },
    presenter: { lang: 'fr', votingButton: 'Ouvrir le vote', previous: 'Précédente', statusAnswers: '2 réponses', phonesLabel: 'Téléphones' },
  }, {
    plurals: [['moderation.votes', '2 votes', '5 votes']],
    panel: {
      '#network-via li': ['5 téléphones via 127.0.0.1'],
      '#qa-toggle': ['Activer les Q&R'],
      '#queue-empty': ['Rien n’attend d’approbation.'],
      '#troubleshoot li strong': ['Pare-feu :', 'Isolation des clients :', 'Données mobiles :', 'Réseau invité ou second réseau :', 'Mauvais réseau choisi :'],
    },
    row: {
      question: 'Q&R', votes: '2 votes', state: 'En attente', flag: 'Mots filtrés', masked: 'À l’écran : Une q*** ?',
      keys: ['A', 'H', 'D', 'L'], labels: ['Approuver', 'Masquer', 'Répondue', 'Mettre en avant'],
    },
  });
});

// The Sessions window in a browser speaking `flag`: its heading, buttons and the live session's row.
async function sessionsWindow(flag, locale) {
  const browser = await launchChromium([`--lang=${flag}`]);
  try {
    const context = await browser.newContext({ locale });
    await pagesFromDisk(context);
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.goto(`${new URL(server.presenter).origin}/sessions?token=${token()}`);
    await page.locator('#sessions li.session').first().waitFor();
    const seen = await page.evaluate(() => {
      const t = (selector) => [...document.querySelectorAll(selector)].map((el) => el.textContent.replace(/\s+/g, ' ').trim());
      return {
        lang: document.documentElement.lang,
        title: document.title,
        heading: t('h1'),
        refresh: t('#refresh'),
        counts: t('#sessions li.session .count'),
        badge: t('#sessions li.session .badge'),
        hint: t('#sessions li.session .hint'),
      };
    });
    assert.deepEqual(errors, [], `${locale}: page errors`);
    return seen;
  } finally {
    await browser.close();
  }
}

test('the Sessions window in German and in Polish', async () => {
  assert.deepEqual(await sessionsWindow('de', 'de-DE'), {
    lang: 'de', title: 'Handsup-Sitzungen', heading: ['Sitzungen'], refresh: ['Aktualisieren'],
    counts: ['5 Teilnehmende', '7 Antworten'], badge: ['Auf dem Bildschirm'],
    hint: ['Auf dem Bildschirm: Zeige eine andere Sitzung oder Präsentation, um diese zu löschen.'],
  });
  assert.deepEqual(await sessionsWindow('pl', 'pl-PL'), {
    lang: 'pl', title: 'Sesje Handsup', heading: ['Sesje'], refresh: ['Odśwież'],
    counts: ['5 uczestników', '7 odpowiedzi'], badge: ['Na ekranie'],
    hint: ['Na ekranie: pokaż inną sesję lub prezentację, aby usunąć tę.'],
  });
});

// The deck editor in a browser speaking `flag` (none: Chromium's default): its buttons, the kind
// menu and the timer's label on the first question, and the deck's own words as they are.
async function editorWindow(flag, locale, shot) {
  const browser = await launchChromium(flag ? [`--lang=${flag}`] : []);
  try {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    await pagesFromDisk(context);
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    // A key with no words in any table is logged, not thrown.
    page.on('console', (message) => { if (message.type() === 'error' && /no words/.test(message.text())) errors.push(message.text()); });
    await page.goto(`${new URL(server.presenter).origin}/editor?token=${token()}`);
    await eventually(`${locale}: the deck in the editor`, () => page.locator('#slides > li').count(), 3);
    await page.locator('#slides > li').nth(1).locator('button').click();
    await page.locator('#setting-time').waitFor();
    await eventually(`${locale}: the preview`, () => text(page, '#preview h1'), 'How did you get here?');
    const seen = await page.evaluate(() => {
      const t = (selector) => [...document.querySelectorAll(selector)].map((el) => el.textContent.replace(/\s+/g, ' ').trim());
      return {
        lang: document.documentElement.lang,
        save: t('#save'),
        addSlide: t('#add-slide'),
        wordcloud: t('#kind option[value="wordcloud"]'),
        timer: t('label[for="setting-time"]'),
        slides: t('#slides .title'),
        options: [...document.querySelectorAll('#options input[type="text"]')].map((el) => el.value),
      };
    });
    // A problem the server finds comes with its code, and is said in the page's language.
    await page.locator('#option-1').fill('On foot');
    await eventually(`${locale}: the problem shown`, async () => (await text(page, '#option-1-error')) !== '', true);
    seen.problem = await text(page, '#option-1-error');
    // The preview, refused the same form, says the same in the same words.
    await eventually(`${locale}: the preview refused`, async () => (await text(page, '#preview-status')).endsWith(seen.problem), true);
    if (shot) await page.screenshot({ path: path.join(shots, shot) });
    assert.deepEqual(errors, [], `${locale}: page errors`);
    return seen;
  } finally {
    await browser.close();
  }
}

test('the deck editor in German and Polish, and in English by default', async () => {
  const deck = {
    slides: ['Welcome', 'How did you get here?', 'Lunch?'],
    options: ['On foot', 'By bike', 'By car'],
  };
  assert.deepEqual(await editorWindow('de', 'de-DE', 'editor-de.png'), {
    lang: 'de', save: ['Speichern'], addSlide: ['Folie hinzufügen'], wordcloud: ['Wortwolke'], timer: ['Timer (Sekunden)'], ...deck,
    problem: '„On foot“ steht doppelt in der Liste.',
  });
  assert.deepEqual(await editorWindow('pl', 'pl-PL', 'editor-pl.png'), {
    lang: 'pl', save: ['Zapisz'], addSlide: ['Dodaj slajd'], wordcloud: ['Chmura słów'], timer: ['Minutnik (sekundy)'], ...deck,
    problem: '„On foot” występuje dwa razy.',
  });
  assert.deepEqual(await editorWindow(null, 'en-US'), {
    lang: 'en', save: ['Save'], addSlide: ['Add slide'], wordcloud: ['Word cloud'], timer: ['Timer (seconds)'], ...deck,
    problem: '“On foot” is listed twice.',
  });
});

// The translators work from ui/lang/en.js: it must say each kind and setting as the server does.
test('en.js has the server\'s English for every question kind and setting, word for word', async () => {
  const en = await table('en');
  const response = await fetch(`${new URL(server.presenter).origin}/api/kinds?token=${token()}`);
  assert.equal(response.status, 200);
  const kinds = await response.json();
  assert.ok(kinds.length >= 10, `${kinds.length} kinds`);
  const expected = {};
  const found = {};
  const expect = (key, english) => {
    expected[key] = english;
    found[key] = en[key];
  };
  const settings = (list, prefix) => {
    for (const s of list) {
      expect(`${prefix}${s.name}`, s.label);
      expect(`${prefix}${s.name}.help`, s.help);
      for (const choice of s.choices || []) if (choice) assert.ok(Object.hasOwn(en, `choice.${s.name}.${choice}`), `choice.${s.name}.${choice}`);
    }
  };
  for (const kind of kinds) {
    expect(`kind.${kind.kind}`, kind.label);
    if (kind.options) {
      expect(`kind.${kind.kind}.list`, kind.options.label);
      assert.ok(Object.hasOwn(en, `kind.${kind.kind}.row`), `kind.${kind.kind}.row`);
    }
    settings(kind.settings, `setting.${kind.kind}.`);
    settings(kind.common || [], 'setting.');
  }
  assert.deepEqual(found, expected);
});

const ENGLISH = {
  projector: {
    lang: 'en', join: 'Join on your phone', joined: '5 connected', summary: '2 answers',
    voting: 'Voting closed', hidden: 'Results are hidden',
  },
  presenter: { lang: 'en', votingButton: 'Open voting', previous: 'Previous', statusAnswers: '2 answers', phonesLabel: 'Phones' },
};

test('English by default, and for a language Handsup does not speak', async () => {
  await lookAt(null, 'en-US', ENGLISH, {
    plurals: [['summary.answers', '2 answers', '5 answers'], ['moderation.votes', '2 votes', '5 votes']],
    panel: {
      '#network-via li': ['5 phones via 127.0.0.1'],
      '#troubleshoot h2': ['When phones cannot connect'],
      '#troubleshoot li:first-child': ['Firewall: on Windows, the first start asks whether Handsup may use the network. Allow it for public networks too: a venue\'s Wi-Fi is usually marked public, and allowing private networks only keeps phones out.'],
      '#qa-toggle': ['Turn Q&A on'],
      '#queue-empty': ['Nothing waits for approval.'],
    },
    row: {
      question: 'Q&A', votes: '2 votes', state: 'Pending', flag: 'Filtered words', masked: 'On screen: Une q*** ?',
      keys: ['A', 'H', 'D', 'L'], labels: ['Approve', 'Hide', 'Answered', 'Highlight'],
    },
  });
  await lookAt('ja', 'ja-JP', ENGLISH);
});
});
