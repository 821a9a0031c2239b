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
