// Progressive enhancement only: every page works without this file.
import { initAll } from "../build/js/govuk-frontend.min.js";
import { initAll as initMoj } from "../build/js/moj-frontend.min.js";

initAll();
initMoj();

// The coding screen: with focus inside an answer, the number keys tick its themes (1 to 9,
// then 0 for the tenth) and Q ticks "fit to quote". Active only while an answer has focus
// (WCAG 2.1.4); the checkboxes work as ever with Tab and Space.
for (const screen of document.querySelectorAll('[data-module="app-coding"]')) {
  const status = screen.querySelector("[data-coding-status]");
  screen.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.target.tagName !== "INPUT") return;
    const answer = event.target.closest("[data-coding-answer]");
    if (!answer) return;
    let box = null;
    if (/^[0-9]$/.test(event.key)) {
      const index = event.key === "0" ? 9 : Number(event.key) - 1;
      box = answer.querySelectorAll("input[data-coding-tag]")[index] ?? null;
    } else if (event.key === "q" || event.key === "Q") {
      box = answer.querySelector("input[data-coding-quote]");
    }
    if (!box) return;
    event.preventDefault();
    box.checked = !box.checked;
    if (status) {
      const label = answer.querySelector(`label[for="${box.id}"]`)?.textContent.trim() ?? "";
      status.textContent = `${label}: ${box.checked ? "ticked" : "not ticked"}`;
    }
  });
}

// The timeout warning (templates/includes/_timeout_warning.html). A session ends after
// `idle` seconds without a request, or at its absolute end however active. `warning` seconds
// before that, this opens the dialog with a countdown, "Stay signed in" and "Sign out". Anyone
// who has typed or clicked since the page last reached the server is kept signed in without
// being interrupted. Tabs share when they last reached the server, so activity in one keeps
// the others from warning. When the time runs out the dialog says so and leaves the page as
// it is: a form sent now is kept and sent again after sign-in.
const SESSION_TOUCHED = "csp-portal:session-touched";

function shareTouch(when) {
  try {
    localStorage.setItem(SESSION_TOUCHED, String(when));
  } catch {
    // Storage may be off: each tab then keeps its own time.
  }
}

function sharedTouch() {
  try {
    return Number(localStorage.getItem(SESSION_TOUCHED)) || 0;
  } catch {
    return 0;
  }
}

function inWords(milliseconds) {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  return `${seconds} second${seconds === 1 ? "" : "s"}`;
}

function timeoutWarning(dialog) {
  if (typeof dialog.showModal !== "function") return;
  const idle = Number(dialog.dataset.idleSeconds) * 1000;
  const warning = Number(dialog.dataset.warningSeconds) * 1000;
  let absoluteEnd = Date.now() + Number(dialog.dataset.absoluteSecondsLeft) * 1000;
  // When the server last renewed the session: it is written at most once a minute, so this
  // page may have been served a little after that.
  const left = dialog.dataset.idleSecondsLeft;
  let touched = Date.now() - (left === undefined ? 0 : idle - Number(left) * 1000);
  let lastInput = 0;
  let timer = 0;
  let ticker = 0;
  let opener = null;
  let ended = false;
  const warningPart = dialog.querySelector("[data-timeout-warning]");
  const endedPart = dialog.querySelector("[data-timeout-ended]");
  const stay = dialog.querySelector("[data-timeout-stay]");
  const announce = dialog.querySelector("[data-timeout-announce]");
  let token = dialog.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
  let announced = 0;

  function named(title, text) {
    dialog.setAttribute("aria-labelledby", title);
    dialog.setAttribute("aria-describedby", text);
  }
  shareTouch(Math.max(touched, sharedTouch()));

  const endsAt = () => Math.min(touched + idle, absoluteEnd);
  const atAbsoluteEnd = () => absoluteEnd <= touched + idle;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, endsAt() - warning - Date.now()));
  }

  function check() {
    const elsewhere = sharedTouch();
    if (elsewhere > touched) touched = elsewhere;
    if (Date.now() < endsAt() - warning) {
      if (dialog.open && !ended) hide();
      schedule();
    } else if (!dialog.open && lastInput > touched && !atAbsoluteEnd()) {
      extend();
    } else if (!dialog.open) {
      show();
    }
  }

  function show() {
    opener = document.activeElement;
    const absolute = atAbsoluteEnd();
    dialog.querySelector("[data-timeout-idle]").hidden = absolute;
    dialog.querySelector("[data-timeout-absolute]").hidden = !absolute;
    stay.hidden = absolute;
    warningPart.hidden = false;
    endedPart.hidden = true;
    named("app-timeout-title", "app-timeout-text");
    announced = 0;
    dialog.showModal();
    warningPart.querySelector("h2").focus();
    tick();
    ticker = setInterval(tick, 1000);
  }

  function tick() {
    const left = endsAt() - Date.now();
    if (left <= 0) {
      signedOut();
      return;
    }
    for (const countdown of dialog.querySelectorAll("[data-timeout-countdown]")) countdown.textContent = inWords(left);
    // Said every 30 seconds (counted by crossing, so a late tick never skips one), and at 10.
    const step = Math.ceil(left / 30000) + (left <= 10000 ? 0.5 : 0);
    if (step !== announced) {
      announced = step;
      announce.textContent = `You will be signed out in ${inWords(left)}.`;
    }
  }

  function hide() {
    clearInterval(ticker);
    dialog.close();
    announce.textContent = "";
    opener?.focus?.();
  }

  function signedOut() {
    clearInterval(ticker);
    clearTimeout(timer);
    ended = true;
    warningPart.hidden = true;
    endedPart.hidden = false;
    named("app-timeout-ended-title", "app-timeout-ended-text");
    if (!dialog.open) {
      opener = document.activeElement;
      dialog.showModal();
    }
    endedPart.querySelector("h2").focus();
  }

  async function extend() {
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.status === 401) {
        signedOut();
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const timing = await response.json();
      // A sign-in in another tab changes the CSRF token: every form here takes the new one.
      token = timing.csrf_token;
      for (const input of document.querySelectorAll("input[name=csrfmiddlewaretoken]")) input.value = token;
      ended = false;
      touched = Date.now() - (timing.idle_seconds - timing.idle_seconds_left) * 1000;
      absoluteEnd = Date.now() + timing.absolute_seconds_left * 1000;
      shareTouch(touched);
      if (dialog.open) hide();
      schedule();
    } catch {
      if (!dialog.open) show();
      announce.textContent = "The portal could not be reached. Check your connection and try again.";
    }
  }

  stay.addEventListener("click", extend);
  dialog.querySelector("[data-timeout-close]").addEventListener("click", hide);
  dialog.addEventListener("cancel", (event) => {
    // Escape means "stay signed in" while that is possible, as the pattern advises.
    event.preventDefault();
    if (ended) {
      hide();
    } else if (!atAbsoluteEnd()) {
      extend();
    } else {
      hide();
      timer = setTimeout(signedOut, Math.max(0, endsAt() - Date.now()));
    }
  });
  for (const type of ["keydown", "input", "pointerdown"]) {
    document.addEventListener(type, () => {
      if (!dialog.open) lastInput = Date.now();
    }, { passive: true, capture: true });
  }
  window.addEventListener("storage", (event) => {
    if (event.key !== SESSION_TOUCHED) return;
    if (!ended) {
      check();
    } else if (sharedTouch() > touched) {
      extend(); // signed in again in another tab: this page carries on, with the new token
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !ended) check();
  });
  schedule();
}

for (const dialog of document.querySelectorAll('[data-module="app-timeout"]')) timeoutWarning(dialog);

// A report's status while it compiles (templates/reports/report_detail.html). The page says
// "Refresh this page" and works without this; here the status is asked for every few
// seconds (reports:status, JSON) and the region, which is aria-live, is updated in place
// when it changes. The page is not reloaded under the reader (WCAG 3.2.5): once the report
// is ready or has failed, the region says so with a link to show it. Polling stops after
// ten minutes, well inside the idle session limit, so an open tab cannot keep a session
// alive for ever; the link still works then.
const STATUS_EVERY = 5000;
const STATUS_FOR_AT_MOST = 10 * 60 * 1000;
const STATUS_TAGS = {
  queued: "govuk-tag--grey",
  running: "govuk-tag--blue",
  ready: "govuk-tag--green",
  failed: "govuk-tag--red",
};

function reportStatus(region) {
  const url = region.dataset.statusUrl;
  const tagLine = region.querySelector("[data-report-status-tag]");
  const message = region.querySelector("[data-report-status-message]");
  const link = message?.querySelector("a");
  if (!url || !tagLine || !message || !link) return;
  const started = Date.now();
  let shown = region.dataset.status ?? null; // as the page was served: no change, nothing to announce

  function show(status, label, done) {
    if (status === shown) return;
    shown = status;
    const tag = document.createElement("strong");
    tag.className = `govuk-tag ${STATUS_TAGS[status] ?? "govuk-tag--grey"}`;
    tag.textContent = label;
    tagLine.replaceChildren(tag);
    if (!done) return;
    link.textContent = status === "ready" ? "Show the report" : "Show what went wrong";
    message.replaceChildren(
      status === "ready" ? "The report is ready. " : "Compiling the report failed. ",
      link,
      ".",
    );
  }

  async function ask() {
    let answer;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok || !response.headers.get("Content-Type")?.includes("application/json")) return; // signed out, say
      answer = await response.json();
    } catch {
      answer = null; // the network blinked: ask again next time
    }
    if (answer) show(answer.status, answer.label, answer.done);
    if (answer?.done || Date.now() - started > STATUS_FOR_AT_MOST) return;
    window.setTimeout(ask, STATUS_EVERY);
  }

  window.setTimeout(ask, STATUS_EVERY);
}

for (const region of document.querySelectorAll('[data-module="app-report-status"]')) reportStatus(region);
