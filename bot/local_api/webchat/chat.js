// The local chat page: talks to the bot through the local Bot API server's control API.
// Bot replies are Telegram HTML: they are parsed with DOMParser (an inert document) and rebuilt
// from the allowed elements and attributes only; untrusted text is never assigned as HTML.
"use strict";

(() => {
  const POLL_WAIT_SECONDS = 25;
  const REQUEST_TIMEOUT_MS = 35000;
  const MAX_BACKOFF_MS = 5000;
  const MAX_DEPTH = 32;
  // A bot message this soon after a button press answers it: it is scrolled into view.
  const PRESS_REPLY_MS = 15000;
  const NEAR_BOTTOM_PX = 80;
  const LINK_PROTOCOLS = new Set(["http:", "https:", "tg:", "mailto:"]);
  const SIMPLE_TAGS = {
    b: "b", strong: "strong", i: "i", em: "em", u: "u", ins: "u",
    s: "s", strike: "s", del: "s",
  };
  // Elements whose content is never text a reader should see.
  const DROPPED_TAGS = new Set(["script", "style", "template", "noscript", "iframe", "object",
    "embed", "svg", "math", "head", "title"]);

  // ------------------------------------------------------------------ Telegram HTML

  function safeLink(href) {
    if (!href) return null;
    let url;
    try {
      url = new URL(href);
    } catch {
      try {
        url = new URL("http://" + href);  // Telegram accepts "example.com" as a link
      } catch {
        return null;
      }
    }
    return LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
  }

  function toggleQuote(quote) {
    const collapsed = quote.classList.toggle("collapsed");
    quote.setAttribute("aria-expanded", String(!collapsed));
  }

  // A fresh element standing for the parsed element `node`, or null to keep only its content.
  function safeElement(node) {
    const tag = node.localName;
    if (Object.hasOwn(SIMPLE_TAGS, tag)) return document.createElement(SIMPLE_TAGS[tag]);
    if (tag === "code") {
      const code = document.createElement("code");
      const language = /^language-([\w+#.-]{1,32})$/.exec(node.getAttribute("class") || "");
      if (language) code.dataset.language = language[1];
      return code;
    }
    if (tag === "pre") return document.createElement("pre");
    if (tag === "a") {
      const href = safeLink(node.getAttribute("href"));
      if (href === null) return null;
      const link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }
    if (tag === "blockquote") {
      const quote = document.createElement("blockquote");
      if (node.hasAttribute("expandable")) {
        quote.className = "tg-expandable collapsed";
        quote.tabIndex = 0;
        quote.setAttribute("role", "button");
        quote.setAttribute("aria-expanded", "false");
        quote.addEventListener("click", (event) => {
          if (!event.target.closest("a")) toggleQuote(quote);
        });
        quote.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            toggleQuote(quote);
          }
        });
      }
      return quote;
    }
    if (tag === "tg-spoiler" || (tag === "span" && node.classList.contains("tg-spoiler"))) {
      const spoiler = document.createElement("span");
      spoiler.className = "tg-spoiler hidden";
      spoiler.title = "Spoiler: click to show";
      spoiler.addEventListener("click", () => spoiler.classList.remove("hidden"), { once: true });
      return spoiler;
    }
    return null;
  }

  const BLOCK_TAGS = new Set(["blockquote", "pre"]);

  function appendSafe(source, target, depth) {
    let afterBlock = false;
    for (const node of source.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        // A block already ends its line: the newline right after it is not an empty line.
        const text = afterBlock ? node.data.replace(/^\n/, "") : node.data;
        afterBlock = false;
        if (text) target.appendChild(document.createTextNode(text));
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        afterBlock = BLOCK_TAGS.has(node.localName);
        const tag = node.localName;
        if (DROPPED_TAGS.has(tag)) continue;
        if (tag === "br") {
          target.appendChild(document.createTextNode("\n"));
          continue;
        }
        if (depth >= MAX_DEPTH) {
          target.appendChild(document.createTextNode(node.textContent));
          continue;
        }
        const element = safeElement(node);
        appendSafe(node, element || target, depth + 1);
        if (element) target.appendChild(element);
      }
      // Comments and anything else are dropped.
    }
  }

  // Telegram HTML -> a DocumentFragment holding only the elements Telegram supports.
  function renderTelegramHtml(html) {
    const parsed = new DOMParser().parseFromString(String(html), "text/html");
    const fragment = document.createDocumentFragment();
    appendSafe(parsed.body, fragment, 0);
    return fragment;
  }

  // ------------------------------------------------------------------ identity

  // Each tab is its own user (sessionStorage is per tab), so chats never mix.
  function tabIdentity() {
    const key = "corpusbot.webchat.user";
    try {
      const saved = JSON.parse(sessionStorage.getItem(key) || "null");
      if (saved && Number.isSafeInteger(saved.id) && saved.id > 0) return saved;
    } catch {
      // A damaged entry: start over with a new user.
    }
    const random = crypto.getRandomValues(new Uint32Array(1))[0];
    const id = 100000000 + (random % 900000000);
    const user = { id, first_name: "Guest " + String(id).slice(-4) };
    try {
      sessionStorage.setItem(key, JSON.stringify(user));
    } catch {
      // Storage refused (private mode): this page load keeps the identity anyway.
    }
    return user;
  }

  // ------------------------------------------------------------------ page state

  const user = tabIdentity();
  const chatId = user.id;  // a private chat's id is the user's id, as in Telegram
  const api = `/api/chats/${chatId}`;
  const state = {
    version: 0,
    actionSeq: 0,
    noticeSeq: 0,         // the bot's answers to button presses already shown
    replyTo: 0,           // the message the next one replies to (0: none)
    typingTimer: 0,
    online: true,
    bot: null,
    commands: [],
    rows: new Map(),      // message_id -> row element
    messages: new Map(),  // message_id -> control API message
    loaded: false,
    pressedAt: 0,         // when a button was last pressed (Date.now()), 0 once answered
    unread: new Set(),    // rows of bot messages that arrived below the fold, not yet seen
  };

  const $ = (id) => document.getElementById(id);
  const elements = {};

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function requestJson(url, options = {}) {
    const response = await fetch(url, {
      ...options,
      headers: { "Content-Type": "application/json" },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  }

  function postJson(url, payload) {
    return requestJson(url, { method: "POST", body: JSON.stringify(payload) });
  }

  let toastTimer = 0;
  // A short note that fades by itself; an alert (show_alert) stays until it is dismissed,
  // as a Telegram client shows the bot's answers to button presses.
  function toast(text, { alert = false } = {}) {
    const box = elements.toast;
    box.replaceChildren(text);
    box.classList.toggle("alert", alert);
    box.setAttribute("role", alert ? "alertdialog" : "status");
    box.hidden = false;
    clearTimeout(toastTimer);
    if (alert) {
      const ok = document.createElement("button");
      ok.type = "button";
      ok.className = "toast-ok";
      ok.textContent = "OK";
      ok.addEventListener("click", () => { box.hidden = true; });
      box.append(ok);
      ok.focus();
    } else {
      toastTimer = setTimeout(() => { box.hidden = true; }, 3000);
    }
  }

  function showNotices(notices) {
    for (const notice of notices) {
      if (typeof notice.text === "string" && notice.text) {
        toast(notice.text, { alert: Boolean(notice.show_alert) });
      }
    }
  }

  // ------------------------------------------------------------------ header

  function renderStatus() {
    const status = elements.status;
    status.className = "status";
    status.replaceChildren();
    if (!state.online) {
      status.classList.add("offline");
      status.textContent = "connecting…";
    } else if (state.typingTimer) {
      status.classList.add("typing");
      const dots = document.createElement("span");
      dots.className = "typing-dots";
      status.append("typing", dots);
    } else {
      status.textContent = "bot";
    }
  }

  function setTyping(action, seconds) {
    clearTimeout(state.typingTimer);
    state.typingTimer = 0;
    if (action === "typing" && seconds > 0) {
      state.typingTimer = setTimeout(() => {
        state.typingTimer = 0;
        renderStatus();
      }, seconds * 1000);
    }
    renderStatus();
  }

  function setOnline(online) {
    if (state.online === online) return;
    state.online = online;
    renderStatus();
  }

  async function loadBot() {
    const data = await requestJson("/api/bot");
    state.bot = data.bot;
    state.commands = Array.isArray(data.commands) ? data.commands : [];
    const name = state.bot.first_name || state.bot.username || "Bot";
    elements.name.textContent = name;
    elements.avatar.textContent = name.trim().charAt(0).toUpperCase() || "?";
    elements.welcomeTitle.textContent = `A local chat with ${name}`;
    document.title = `${name} · local chat`;
    elements.menuButton.hidden = state.commands.length === 0;
  }

  // ------------------------------------------------------------------ messages

  function formatTime(seconds) {
    const date = new Date(seconds * 1000);
    return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function renderKeyboard(message) {
    const rows = message.reply_markup && message.reply_markup.inline_keyboard;
    if (!Array.isArray(rows) || rows.length === 0) return null;
    const keyboard = document.createElement("div");
    keyboard.className = "keyboard";
    for (const row of rows) {
      const line = document.createElement("div");
      line.className = "keyboard-row";
      for (const button of row) {
        line.appendChild(renderButton(message, button));
      }
      keyboard.appendChild(line);
    }
    return keyboard;
  }

  function renderButton(message, button) {
    const label = String(button.text || "");
    const href = typeof button.url === "string" ? safeLink(button.url) : null;
    if (href) {
      const link = document.createElement("a");
      link.className = "kb-button link";
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = label;
      return link;
    }
    const element = document.createElement("button");
    element.type = "button";
    element.className = "kb-button";
    element.textContent = label;
    if (typeof button.callback_data === "string") {
      element.dataset.callback = button.callback_data;
      element.addEventListener("click", () => pressButton(message.message_id, element));
    } else {
      element.disabled = true;
      element.title = "This kind of button does not work in the local chat";
    }
    return element;
  }

  async function pressButton(messageId, element) {
    if (element.classList.contains("pending")) return;
    element.classList.add("pending");
    state.pressedAt = Date.now();
    try {
      await postJson(`${api}/callbacks`, {
        message_id: messageId, data: element.dataset.callback, user,
      });
    } catch (error) {
      toast(`The button did not work: ${error.message}`);
    } finally {
      setTimeout(() => element.classList.remove("pending"), 1500);
    }
  }

  function renderMessage(message) {
    const row = document.createElement("div");
    row.className = "row " + (message.from_bot ? "in" : "out");
    row.dataset.messageId = String(message.message_id);
    const bubble = document.createElement("div");
    bubble.className = "bubble";

    const target = state.messages.get(message.reply_to_message_id);
    if (target) {
      const reply = document.createElement("div");
      reply.className = "reply-to";
      reply.textContent = target.plain_text;
      reply.title = "Show the message this replies to";
      reply.addEventListener("click", () => showOriginal(target.message_id));
      bubble.appendChild(reply);
    }

    const text = document.createElement("div");
    text.className = "text";
    // A result chosen in inline mode is the user's message, but the bot wrote its HTML.
    const fromBot = message.from_bot || Boolean(message.via_bot);
    const isHtml = fromBot && String(message.parse_mode || "").toLowerCase() === "html";
    if (message.via_bot) {
      const via = document.createElement("div");
      via.className = "via";
      via.textContent = `via @${message.via_bot.username}`;
      bubble.appendChild(via);
    }
    if (isHtml) {
      text.appendChild(renderTelegramHtml(message.text));
    } else {
      text.textContent = fromBot ? message.plain_text : message.text;
    }
    bubble.appendChild(text);

    const meta = document.createElement("span");
    meta.className = "meta";
    if (message.edited) {
      const edited = document.createElement("span");
      edited.className = "edited";
      edited.textContent = "edited";
      meta.appendChild(edited);
    }
    meta.append(formatTime(message.edit_date || message.date));
    bubble.appendChild(meta);
    bubble.appendChild(replyButton(message));  // beside the bubble, outside its edge
    row.appendChild(bubble);
    bubble.addEventListener("dblclick", (event) => {
      if (!event.target.closest("a, blockquote, .reply-to, button")) startReply(message.message_id);
    });

    const keyboard = renderKeyboard(message);
    if (keyboard) row.appendChild(keyboard);
    return row;
  }

  function replyButton(message) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "reply-button";
    button.title = "Reply";
    button.setAttribute("aria-label", "Reply to this message");
    button.textContent = "↩";
    button.addEventListener("click", () => startReply(message.message_id));
    return button;
  }

  function snippet(message) {
    return String(message.plain_text || message.text || "").replace(/\s+/g, " ").trim();
  }

  // ------------------------------------------------------------------ replying

  function startReply(messageId) {
    const message = state.messages.get(messageId);
    if (!message) return;
    state.replyTo = messageId;
    elements.replyName.textContent = message.from_bot
      ? `Reply to ${elements.name.textContent}` : "Reply to yourself";
    elements.replyText.textContent = snippet(message);
    elements.replyBar.hidden = false;
    elements.input.focus();
  }

  function cancelReply() {
    state.replyTo = 0;
    elements.replyBar.hidden = true;
  }

  function showOriginal(messageId) {
    const row = state.rows.get(messageId);
    if (!row) return;
    reveal(row);
    row.classList.remove("flash");
    void row.offsetWidth;  // restart the animation when the same message is shown again
    row.classList.add("flash");
  }

  function nearBottom() {
    const history = elements.history;
    return history.scrollHeight - history.scrollTop - history.clientHeight < NEAR_BOTTOM_PX;
  }

  // Scroll the history just enough to show `row`: whole if it fits, else from its top.
  function reveal(row) {
    const view = elements.history.getBoundingClientRect();
    const box = row.getBoundingClientRect();
    const margin = 8;
    if (box.top >= view.top && box.bottom <= view.bottom) return;
    const fits = box.height <= view.height - 2 * margin;
    const delta = fits && box.top > view.top ? box.bottom - view.bottom + margin
      : box.top - view.top - margin;
    elements.history.scrollTop += delta;
  }

  // ------------------------------------------------------------------ "new messages" marker

  // As in Telegram: messages that arrive while you read higher up are counted on a button
  // that jumps to the first of them; the count drops as they scroll into view.
  function seen(row) {
    const view = elements.history.getBoundingClientRect();
    const box = row.getBoundingClientRect();
    return box.top < view.bottom - 16 && box.bottom > view.top;
  }

  function renderUnread() {
    for (const row of state.unread) {
      if (!row.isConnected || seen(row)) state.unread.delete(row);
    }
    if (nearBottom()) state.unread.clear();
    const count = state.unread.size;
    elements.newMessages.hidden = count === 0;
    elements.newMessages.textContent = count === 1 ? "1 new message" : `${count} new messages`;
  }

  function jumpToUnread() {
    const rows = [...state.unread].sort(
      (a, b) => Number(a.dataset.messageId) - Number(b.dataset.messageId));
    if (rows.length) reveal(rows[0]);
    else elements.history.scrollTop = elements.history.scrollHeight;
    renderUnread();
  }

  // Add a message, or replace it in place when it was edited.
  function upsertMessage(message) {
    const known = state.messages.get(message.message_id);
    if (known && known.version >= message.version) return;
    state.messages.set(message.message_id, message);
    const row = renderMessage(message);
    const old = state.rows.get(message.message_id);
    if (old) {
      old.replaceWith(row);
    } else {
      let before = null;
      for (const [id, existing] of state.rows) {
        if (id > message.message_id && (!before || id < Number(before.dataset.messageId))) {
          before = existing;
        }
      }
      elements.messages.insertBefore(row, before);
    }
    state.rows.set(message.message_id, row);
  }

  function applyMessages(messages) {
    if (!messages.length) return;
    const stick = nearBottom();
    let botSpoke = false;
    const arrived = [];  // bot messages new to the page (not edits)
    for (const message of messages) {
      const isNew = !state.rows.has(message.message_id);
      upsertMessage(message);
      botSpoke = botSpoke || message.from_bot;
      if (isNew && message.from_bot) arrived.push(state.rows.get(message.message_id));
    }
    elements.welcome.hidden = state.messages.size > 0;
    if (stick || !botSpoke) {
      elements.history.scrollTop = elements.history.scrollHeight;
    } else if (arrived.length && Date.now() - state.pressedAt < PRESS_REPLY_MS) {
      state.pressedAt = 0;  // the reply to a button pressed higher up: show it
      reveal(arrived[0]);
      arrived.slice(1).forEach((row) => state.unread.add(row));
    } else {
      arrived.forEach((row) => state.unread.add(row));
    }
    renderUnread();
    if (botSpoke && state.commands.length === 0) loadBot().catch(() => {});
  }

  // ------------------------------------------------------------------ long polling

  function resetChat() {
    state.version = 0;
    state.actionSeq = 0;
    state.noticeSeq = 0;
    state.loaded = false;
    cancelReply();
    state.messages.clear();
    state.rows.clear();
    state.unread.clear();
    renderUnread();
    elements.messages.replaceChildren();
    setTyping(null, 0);
  }

  async function pollLoop() {
    let failures = 0;
    for (;;) {
      const started = Date.now();
      try {
        const data = await requestJson(
          `${api}/updates?since_version=${state.version}&since_action=${state.actionSeq}` +
          `&since_notice=${state.noticeSeq}&wait=${state.loaded ? POLL_WAIT_SECONDS : 0}`
        );
        failures = 0;
        setOnline(true);
        if (data.version < state.version || data.action_seq < state.actionSeq ||
            data.notice_seq < state.noticeSeq) {
          resetChat();  // a new server (restarted): show its chat from the start
          continue;
        }
        const changed = data.version !== state.version || data.action_seq !== state.actionSeq ||
          data.notice_seq !== state.noticeSeq;
        applyMessages(data.messages || []);
        // Answers to presses made before the page was opened are not news: only later ones show.
        if (state.loaded) showNotices(data.notices || []);
        state.version = data.version;
        state.actionSeq = data.action_seq;
        state.noticeSeq = data.notice_seq;
        setTyping(data.action, data.action_seconds);
        if (!state.loaded) {
          state.loaded = true;
          elements.welcome.hidden = state.messages.size > 0;
        }
        if (!changed && Date.now() - started < 200) await sleep(500);
      } catch {
        failures += 1;
        setOnline(false);
        await sleep(Math.min(250 * 2 ** failures, MAX_BACKOFF_MS));
      }
    }
  }

  // ------------------------------------------------------------------ sending

  async function sendText(text, { reply = false } = {}) {
    if (!text.trim()) return false;
    const payload = { text, user };
    if (reply && state.replyTo) payload.reply_to_message_id = state.replyTo;
    try {
      const message = await postJson(`${api}/messages`, payload);
      if (reply) cancelReply();
      applyMessages([message]);
      return true;
    } catch (error) {
      toast(`Not sent: ${error.message}`);
      return false;
    }
  }

  function autosize() {
    const input = elements.input;
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  async function submit() {
    const text = elements.input.value;
    if (!text.trim()) return;
    elements.input.value = "";
    autosize();
    closeMenu();
    if (!(await sendText(text, { reply: true }))) elements.input.value = text;
  }

  // ------------------------------------------------------------------ command menu

  function menuOpen() {
    return !elements.menu.hidden;
  }

  function closeMenu() {
    elements.menu.hidden = true;
    elements.menuButton.setAttribute("aria-expanded", "false");
  }

  function openMenu(filter = "") {
    const wanted = filter.toLowerCase();
    const commands = state.commands.filter((c) => c.command.startsWith(wanted));
    if (commands.length === 0) {
      closeMenu();
      return;
    }
    elements.menu.replaceChildren(...commands.map((command) => {
      const item = document.createElement("button");
      item.type = "button";
      item.className = "menu-item";
      item.setAttribute("role", "option");
      item.dataset.command = command.command;
      const name = document.createElement("span");
      name.className = "cmd";
      name.textContent = "/" + command.command;
      const description = document.createElement("span");
      description.className = "desc";
      description.textContent = command.description;
      item.append(name, description);
      item.addEventListener("click", () => {
        closeMenu();
        elements.input.value = "";
        autosize();
        sendText("/" + command.command);
        elements.input.focus();
      });
      return item;
    }));
    elements.menu.hidden = false;
    elements.menuButton.setAttribute("aria-expanded", "true");
  }

  // ------------------------------------------------------------------ start

  function init() {
    Object.assign(elements, {
      avatar: $("bot-avatar"), name: $("bot-name"), status: $("bot-status"), who: $("who"),
      history: $("history"), messages: $("messages"), welcome: $("welcome"),
      welcomeTitle: $("welcome-title"), start: $("start"), menu: $("menu-popup"),
      menuButton: $("menu-button"), composer: $("composer"), input: $("input"),
      toast: $("toast"), newMessages: $("new-messages"), replyBar: $("reply-bar"),
      replyName: $("reply-name"), replyText: $("reply-text"), replyCancel: $("reply-cancel"),
    });
    elements.who.textContent = `you: ${user.first_name}`;
    renderStatus();

    elements.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      submit();
    });
    elements.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      } else if (event.key === "Escape") {
        if (menuOpen()) closeMenu();
        else cancelReply();
      }
    });
    elements.input.addEventListener("input", () => {
      autosize();
      const match = /^\/(\w*)$/.exec(elements.input.value);
      if (match) openMenu(match[1]);
      else closeMenu();
    });
    elements.menuButton.addEventListener("click", async () => {
      if (menuOpen()) {
        closeMenu();
        return;
      }
      await loadBot().catch(() => {});
      openMenu();
    });
    document.addEventListener("click", (event) => {
      if (menuOpen() && !event.target.closest("#menu-popup, #menu-button")) closeMenu();
    });
    elements.start.addEventListener("click", () => sendText("/start"));
    elements.replyCancel.addEventListener("click", () => {
      cancelReply();
      elements.input.focus();
    });
    elements.history.addEventListener("scroll", renderUnread, { passive: true });
    elements.newMessages.addEventListener("click", jumpToUnread);

    loadBot().catch(() => setOnline(false));
    pollLoop();
    elements.input.focus();
  }

  window.CorpusChat = Object.freeze({ renderTelegramHtml, chatId, user, requestJson, postJson });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
