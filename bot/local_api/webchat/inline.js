// Inline mode on the local chat page: typing "@botname query" asks the bot (an inline_query
// through the control API), shows its answer as result cards above the composer, and choosing
// a card sends that result into the chat, as Telegram does. Card text is set as text, never HTML.
"use strict";

(() => {
  const DEBOUNCE_MS = 300;
  const ANSWER_WAIT_SECONDS = 10;

  const state = { username: "", timer: 0, asked: 0, queryId: null };
  const elements = {};

  // The page's own JSON helpers (chat.js runs first: both scripts are deferred, in order).
  const { requestJson, postJson } = window.CorpusChat;

  // "@botname query" -> "query"; null when the text is not an inline query to this bot.
  function inlineQuery(text) {
    if (!state.username) return null;
    const prefix = "@" + state.username.toLowerCase();
    const lowered = text.toLowerCase();
    if (lowered === prefix) return "";
    if (!lowered.startsWith(prefix + " ")) return null;
    return text.slice(prefix.length + 1);
  }

  function close() {
    elements.panel.hidden = true;
    elements.panel.replaceChildren();
    state.queryId = null;
  }

  function renderCards(queryId, results) {
    if (results.length === 0) {
      const empty = document.createElement("div");
      empty.className = "inline-empty";
      empty.textContent = "No results";
      elements.panel.replaceChildren(empty);
    } else {
      elements.panel.replaceChildren(...results.map((result) => {
        const card = document.createElement("button");
        card.type = "button";
        card.className = "inline-card";
        card.dataset.resultId = result.id;
        const title = document.createElement("span");
        title.className = "inline-title";
        title.textContent = result.title;
        const description = document.createElement("span");
        description.className = "inline-description";
        description.textContent = result.description || "";
        card.append(title, description);
        card.addEventListener("click", () => choose(queryId, result.id));
        return card;
      }));
    }
    elements.panel.hidden = false;
  }

  async function ask(query) {
    const chat = window.CorpusChat;
    const asked = ++state.asked;
    try {
      const sent = await postJson(`/api/chats/${chat.chatId}/inline`, { query, user: chat.user });
      const answer = await requestJson(
        `/api/inline/${sent.id}?wait=${ANSWER_WAIT_SECONDS}`);
      if (asked !== state.asked) return;  // the user typed on: a newer query is on its way
      if (!answer.answered) {
        close();
        return;
      }
      state.queryId = sent.id;
      renderCards(sent.id, answer.results || []);
    } catch {
      if (asked === state.asked) close();
    }
  }

  async function choose(queryId, resultId) {
    try {
      await postJson(`/api/inline/${queryId}/choose`, { result_id: resultId });
      elements.input.value = "";
      elements.input.dispatchEvent(new Event("input"));
      close();
    } catch {
      close();
    }
  }

  function onInput() {
    clearTimeout(state.timer);
    const query = inlineQuery(elements.input.value);
    if (query === null) {
      state.asked++;
      close();
      return;
    }
    state.timer = setTimeout(() => ask(query), DEBOUNCE_MS);
  }

  async function init() {
    elements.input = document.getElementById("input");
    elements.panel = document.createElement("div");
    elements.panel.className = "inline-results";
    elements.panel.id = "inline-results";
    elements.panel.setAttribute("role", "listbox");
    elements.panel.setAttribute("aria-label", "Inline results");
    elements.panel.hidden = true;
    document.getElementById("composer").before(elements.panel);
    elements.input.addEventListener("input", onInput);
    elements.input.addEventListener("keydown", (event) => {
      if (event.key === "Escape") close();
    });
    try {
      state.username = (await requestJson("/api/bot")).bot.username || "";
    } catch {
      state.username = "";  // no inline mode until the page is reloaded
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
