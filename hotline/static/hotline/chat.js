// The hotline chat page: speaks graphql-transport-ws to /graphql/ directly (no library, no
// build step). Members authenticate with their token (kept in this tab's sessionStorage and
// sent only in connection_init), staff with their session cookie. Every message has a `seq`:
// the page subscribes with the last seq it has, drops duplicates and backfills any gap, so a
// reconnect or a dropped broadcast never loses or repeats a message. Sends carry a
// clientMessageId, so a send retried after a reconnect is stored once.

const TOKEN_KEY = "liaison.hotline.token";
// The page's texts in its language (hotline/views.py CHAT_TEXTS, gettext), by English text.
const TEXTS = JSON.parse(document.getElementById("chat-texts")?.textContent || "{}");
function t(text, values = {}) {
  return (TEXTS[text] || text).replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}
const IS_STAFF = document.body.dataset.staff === "1";
const MESSAGE_FIELDS = `id seq conversationId kind body urgent clientMessageId sentAt
  author { displayName isStaff } report { requestId reference category status desk dueAt }`;
const Q_CONVERSATIONS = `{ hotlineViewer { displayName isStaff } hotlineConversations { id title organizationName organizationKind
  isMainLine lastSeq lastMessageAt lastUrgentAt reports { requestId reference category status desk dueAt } } }`;
const Q_HISTORY = `query($id: ID!, $after: Int, $first: Int) {
  hotlineMessages(conversationId: $id, afterSeq: $after, first: $first) { ${MESSAGE_FIELDS} } }`;
const S_MESSAGES = `subscription($id: ID!, $after: Int) {
  hotlineMessages(conversationId: $id, afterSeq: $after) { ${MESSAGE_FIELDS} } }`;
const S_PRESENCE = `subscription($id: ID!) { hotlinePresence(conversationId: $id) {
  staffOnline typing typingIsStaff } }`;
const M_SEND = `mutation($input: SendHotlineMessageInput!) { sendHotlineMessage(input: $input) {
  ... on HotlineMessage { ${MESSAGE_FIELDS} }
  ... on OperationInfo { messages { field message code } } } }`;
const M_TYPING = `mutation($id: ID!) { hotlineTyping(conversationId: $id) }`;
const HISTORY_PAGE = 200;

const $ = (id) => document.getElementById(id);
const ui = {
  signIn: $("sign-in"), tokenForm: $("token-form"), token: $("token"), tokenError: $("token-error"),
  signOut: $("sign-out"), app: $("app"), connection: $("connection"), staffOnline: $("staff-online"),
  conversations: $("conversations"), title: $("chat-title"), sub: $("chat-sub"), reports: $("reports"),
  messages: $("messages"), typing: $("typing"), composer: $("composer"), body: $("composer-body"),
  error: $("composer-error"), urgent: $("urgent"), reportFields: $("report-fields"),
  category: $("report-category"), targets: $("report-targets"), reportError: $("report-error"),
  categoryError: $("report-category-error"), send: $("send"),
};

const state = {
  conversations: [],
  current: null,            // conversation id
  byConversation: new Map(),  // id -> { lastSeq, messages: Map(seq -> message), loaded }
  outbox: [],               // sends waiting for a connection: { clientMessageId, input, element }
  me: null,
  sentIds: new Set(),
  typingTimer: null,
  lastTypingSent: 0,
};

// --- The GraphQL WebSocket client ----------------------------------------------------------

class GraphQLSocket {
  constructor(onState) {
    this.onState = onState;
    this.nextId = 1;
    this.ops = new Map();       // id -> { kind: "once"|"stream", ...handlers }
    this.streams = new Map();   // key -> { query, variables(), onNext, onError, id }
    this.attempt = 0;
    this.ready = false;
    this.closedByUs = false;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.onState(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(`${scheme}//${location.host}/graphql/`, "graphql-transport-ws");
    this.ws = ws;
    ws.addEventListener("open", () => {
      const token = sessionStorage.getItem(TOKEN_KEY);
      const payload = token && !IS_STAFF ? { authorization: `Bearer ${token}` } : {};
      ws.send(JSON.stringify({ type: "connection_init", payload }));
    });
    ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    ws.addEventListener("close", (event) => this.closed(event));
  }

  receive(message) {
    if (message.type === "connection_ack") {
      this.attempt = 0;
      this.ready = true;
      this.onState("connected");
      for (const [key, stream] of this.streams) this.startStream(key, stream);
      app.onConnected();
      return;
    }
    if (message.type === "ping") { this.ws.send(JSON.stringify({ type: "pong" })); return; }
    const op = this.ops.get(message.id);
    if (!op) return;
    if (message.type === "next") op.next(message.payload);
    else if (message.type === "error") { op.error(message.payload); this.ops.delete(message.id); }
    else if (message.type === "complete") { op.complete(); this.ops.delete(message.id); }
  }

  closed(event) {
    this.ready = false;
    for (const op of this.ops.values()) op.error([{ message: "Connection lost" }]);
    this.ops.clear();
    if (event.code === 4403 || event.code === 4401) {
      this.onState("refused");
      app.onRefused();
      return;
    }
    if (this.closedByUs) return;
    this.attempt += 1;
    // Back off 0.5 s, 1 s, 2 s … up to 10 s, with jitter so clients do not come back together.
    const delay = Math.min(10000, 500 * 2 ** (this.attempt - 1)) * (0.75 + Math.random() / 2);
    this.onState("offline", Math.round(delay / 1000));
    setTimeout(() => this.connect(), delay);
  }

  close() { this.closedByUs = true; if (this.ws) this.ws.close(); }

  subscribeRaw(query, variables, handlers) {
    const id = String(this.nextId++);
    this.ops.set(id, handlers);
    this.ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
    return id;
  }

  // One query or mutation: resolves with `data`, rejects with the GraphQL errors.
  request(query, variables = {}) {
    return new Promise((resolve, reject) => {
      if (!this.ready) { reject([{ message: "Not connected" }]); return; }
      let result = null;
      this.subscribeRaw(query, variables, {
        next: (payload) => { result = payload; },
        error: (errors) => reject(errors),
        complete: () => (result && !result.errors ? resolve(result.data) : reject(result ? result.errors : [])),
      });
    });
  }

  // A subscription that survives reconnects: `variables()` is asked again each time, so a
  // message stream resumes after the last seq the page has.
  stream(key, query, variables, onNext) {
    this.stopStream(key);
    const stream = { query, variables, onNext, id: null };
    this.streams.set(key, stream);
    if (this.ready) this.startStream(key, stream);
  }

  startStream(key, stream) {
    stream.id = this.subscribeRaw(stream.query, stream.variables(), {
      next: (payload) => {
        if (payload.errors) app.showStreamError(payload.errors);
        else stream.onNext(payload.data);
      },
      error: (errors) => app.showStreamError(errors),
      complete: () => {},
    });
  }

  stopStream(key) {
    const stream = this.streams.get(key);
    if (!stream) return;
    this.streams.delete(key);
    if (stream.id && this.ready) {
      this.ops.delete(stream.id);
      this.ws.send(JSON.stringify({ id: stream.id, type: "complete" }));
    }
  }
}

// --- Formatting --------------------------------------------------------------------------

// In the page's language (the portal's choice: browser or switch), always on a 24-hour clock.
const LOCALE = document.documentElement.lang || undefined;
const timeFormat = new Intl.DateTimeFormat(LOCALE, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const dayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: "long", day: "numeric", month: "long" });
const DEADLINE = { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
const deadlineUtc = new Intl.DateTimeFormat(LOCALE, { ...DEADLINE, timeZone: "UTC" });
const deadlineLocal = new Intl.DateTimeFormat(LOCALE, { ...DEADLINE, timeZoneName: "short" });

// A deadline as officers in two countries read it on the phone: date and 24-hour time in UTC,
// then the reader's own time and zone (left out where the reader's zone is UTC).
function deadlineText(iso) {
  const due = new Date(iso);
  const utc = `${deadlineUtc.format(due)} UTC`;
  return due.getTimezoneOffset() === 0 ? utc : `${utc} (${deadlineLocal.format(due)})`;
}

// The request in the members' console (console/urls.py: requests/<global id>/).
function consoleUrl(requestId) {
  return `/console/requests/${encodeURIComponent(requestId)}/`;
}

// What was read, per conversation: the highest seq seen while it was open (this browser).
const READ_KEY = "liaison.hotline.read.";
function readSeq(id) {
  const seq = Number(window.localStorage.getItem(READ_KEY + id));
  return Number.isFinite(seq) ? seq : 0;
}
function markRead(id, seq) {
  if (seq > readSeq(id)) window.localStorage.setItem(READ_KEY + id, String(seq));
}
function unreadCount(conversation) {
  if (conversation.id === state.current) return 0;
  return Math.max(0, conversation.lastSeq - readSeq(conversation.id));
}

function minutesLeft(iso) {
  const minutes = Math.round((new Date(iso) - Date.now()) / 60000);
  if (minutes < 0) return t("%(minutes)s min overdue", { minutes: -minutes });
  if (minutes < 120) return t("in %(minutes)s min", { minutes });
  return t("in %(hours)s h", { hours: Math.round(minutes / 60) });
}

function categoryLabel(category) {
  if (TEXTS[`category:${category}`]) return TEXTS[`category:${category}`];
  const text = category.replace("_", " ").toLowerCase();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function reportLine(report) {
  const what = t("%(category)s report %(reference)s", { category: categoryLabel(report.category), reference: report.reference });
  if (!report.desk) return t("%(what)s sent — finding the right desk…", { what });
  return t("%(what)s → %(desk)s · due %(deadline)s, %(left)s", {
    what, desk: report.desk, deadline: deadlineText(report.dueAt), left: minutesLeft(report.dueAt),
  });
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- The page ----------------------------------------------------------------------------

const app = {
  socket: null,

  start() {
    ui.tokenForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const token = ui.token.value.trim();
      if (!/^lp_[A-Za-z0-9]{8}_/.test(token)) {
        ui.tokenError.textContent = t("That does not look like a Liaison Portal token (it starts with lp_).");
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, token);
      ui.token.value = "";
      ui.tokenError.textContent = "";
      this.open();
    });
    if (ui.signOut) ui.signOut.addEventListener("click", () => {
      sessionStorage.removeItem(TOKEN_KEY);
      location.reload();
    });
    ui.composer.addEventListener("submit", (event) => { event.preventDefault(); this.send(); });
    ui.body.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    ui.body.addEventListener("input", () => { ui.error.textContent = ""; this.typing(); });
    ui.urgent.addEventListener("change", () => this.toggleUrgent());
    ui.category.addEventListener("change", () => {
      ui.categoryError.textContent = "";
      ui.category.removeAttribute("aria-invalid");
    });
    setInterval(() => this.renderReports(), 30000);
    if (IS_STAFF || sessionStorage.getItem(TOKEN_KEY)) this.open();
    else this.showSignIn();
  },

  showSignIn(message = "") {
    ui.app.hidden = true;
    ui.signIn.hidden = false;
    ui.tokenError.textContent = message;
    ui.token.focus();
  },

  open() {
    ui.signIn.hidden = true;
    ui.app.hidden = false;
    if (ui.signOut) ui.signOut.hidden = false;
    if (this.socket) this.socket.close();
    this.socket = new GraphQLSocket((s, seconds) => this.connectionState(s, seconds));
    this.socket.connect();
  },

  onRefused() {
    if (IS_STAFF) {
      ui.connection.textContent = t("Your session ended — sign in to admin again");
      return;
    }
    sessionStorage.removeItem(TOKEN_KEY);
    this.showSignIn(t("This token was refused: it may be expired or revoked. Paste a current one."));
  },

  connectionState(s, seconds) {
    const labels = {
      connecting: [t("Connecting…"), "pill-warn"],
      reconnecting: [t("Reconnecting…"), "pill-warn"],
      connected: [t("Connected"), "pill-ok"],
      offline: [t("Connection lost — retrying in %(seconds)s s", { seconds }), "pill-bad"],
      refused: [t("Not signed in"), "pill-bad"],
    };
    const [text, cls] = labels[s] || ["…", "pill-muted"];
    ui.connection.textContent = text;
    ui.connection.className = `pill ${cls}`;
    ui.connection.dataset.state = s;
    ui.send.disabled = false;
  },

  async onConnected() {
    try {
      await this.loadConversations();
    } catch (errors) {
      this.showStreamError(errors);
      return;
    }
    this.flushOutbox();
  },

  async loadConversations() {
    const data = await this.socket.request(Q_CONVERSATIONS);
    state.me = data.hotlineViewer.displayName;
    state.conversations = data.hotlineConversations;
    this.renderConversations();
    const keep = state.conversations.find((c) => c.id === state.current);
    if (!keep && state.conversations.length) await this.select(state.conversations[0].id);
    else if (keep) this.renderHead();
    if (!this.listTimer) this.listTimer = setInterval(() => this.refreshList(), 20000);
  },

  async refreshList() {
    if (!this.socket.ready) return;
    try {
      const data = await this.socket.request(Q_CONVERSATIONS);
      state.conversations = data.hotlineConversations;
      this.renderConversations();
      this.renderHead();
    } catch { /* the next refresh will do */ }
  },

  conversation() { return state.conversations.find((c) => c.id === state.current); },

  store(id) {
    if (!state.byConversation.has(id)) state.byConversation.set(id, { lastSeq: 0, messages: new Map(), loaded: false });
    return state.byConversation.get(id);
  },

  renderConversations() {
    ui.conversations.replaceChildren();
    for (const c of state.conversations) {
      const li = el("li");
      const button = el("button");
      button.type = "button";
      button.dataset.id = c.id;
      button.setAttribute("aria-current", c.id === state.current ? "true" : "false");
      button.append(el("span", "conv-name", IS_STAFF ? c.organizationName : (c.isMainLine ? t("Main line") : c.title)));
      const meta = el("span", "conv-meta");
      meta.append(el("span", "", IS_STAFF ? (c.isMainLine ? t("Main line") : c.title) : t("Platform staff")));
      if (c.lastUrgentAt && Date.now() - new Date(c.lastUrgentAt) < 24 * 3600e3) meta.append(el("span", "badge badge-urgent", t("Urgent")));
      if (c.lastMessageAt) meta.append(el("span", "", timeFormat.format(new Date(c.lastMessageAt))));
      const unread = unreadCount(c);
      if (unread) meta.append(el("span", "badge badge-unread", t("%(count)s unread", { count: unread })));
      button.append(meta);
      button.addEventListener("click", () => this.select(c.id));
      li.append(button);
      ui.conversations.append(li);
    }
  },

  renderHead() {
    const c = this.conversation();
    if (!c) return;
    const kind = c.organizationKind === "NGO" ? t("NGO") : t("Authority");
    ui.title.textContent = IS_STAFF ? c.organizationName : t("Platform staff");
    ui.sub.textContent = IS_STAFF
      ? `${kind} · ${c.isMainLine ? t("main line") : c.title}`
      : t("%(line)s · answered by the platform's staff", { line: c.isMainLine ? t("Your organization's main line") : c.title });
    this.renderReports();
  },

  renderReports() {
    const c = this.conversation();
    ui.reports.replaceChildren();
    if (!c) return;
    for (const report of c.reports.slice(0, 2)) {
      // Members follow the request in the console; staff have it in admin.
      const card = el(IS_STAFF ? "div" : "a", "report-card");
      if (!IS_STAFF) card.href = consoleUrl(report.requestId);
      card.append(el("strong", "", report.desk ? t("Report routed") : t("Report sent")), document.createTextNode(` ${reportLine(report)}`));
      ui.reports.append(card);
    }
  },

  async select(id) {
    if (state.current === id && this.store(id).loaded) return;
    state.current = id;
    this.renderConversations();
    this.renderHead();
    ui.messages.replaceChildren();
    ui.typing.textContent = "";
    const store = this.store(id);
    if (!store.loaded) {
      // The newest page of history first; the subscription then continues after its last seq.
      try {
        const data = await this.socket.request(Q_HISTORY, { id, first: HISTORY_PAGE });
        for (const message of data.hotlineMessages) this.accept(id, message, false);
        store.loaded = true;
      } catch (errors) { this.showStreamError(errors); }
    }
    this.renderAll(id);
    markRead(id, Math.max(store.lastSeq, this.conversation()?.lastSeq || 0));
    this.socket.stream("messages", S_MESSAGES, () => ({ id: state.current, after: this.store(state.current).lastSeq }),
      (data) => this.onLive(id, data.hotlineMessages));
    this.socket.stream("presence", S_PRESENCE, () => ({ id: state.current }), (data) => this.onPresence(data.hotlinePresence));
  },

  // A message from the server (history, replay or live). Duplicates are dropped by seq.
  accept(id, message, render = true) {
    const store = this.store(id);
    if (store.messages.has(message.seq)) return false;
    store.messages.set(message.seq, message);
    store.lastSeq = Math.max(store.lastSeq, message.seq);
    if (render && id === state.current) {
      this.renderMessage(message);
      markRead(id, store.lastSeq);
    }
    return true;
  },

  async onLive(id, message) {
    const store = this.store(id);
    if (message.seq > store.lastSeq + 1 && store.loaded) {
      // A gap (the server backfills too; this covers anything that still slipped through).
      try {
        const data = await this.socket.request(Q_HISTORY, { id, after: store.lastSeq, first: HISTORY_PAGE });
        for (const missed of data.hotlineMessages) if (missed.seq < message.seq) this.accept(id, missed);
      } catch { /* the next reconnect replays from lastSeq */ }
    }
    if (this.accept(id, message)) {
      if (message.report) this.updateReport(message.report);
      if (message.kind === "SYSTEM" || message.urgent) this.refreshList();
    }
  },

  updateReport(report) {
    // The urgent message that raised it shows the same, current line.
    for (const line of ui.messages.querySelectorAll(`.msg-report[data-request-id="${CSS.escape(report.requestId)}"]`)) {
      line.textContent = reportLine(report);
    }
    const c = this.conversation();
    if (!c) return;
    const others = c.reports.filter((r) => r.requestId !== report.requestId);
    c.reports = [report, ...others];
    this.renderReports();
  },

  renderAll(id) {
    ui.messages.replaceChildren();
    const messages = [...this.store(id).messages.values()].sort((a, b) => a.seq - b.seq);
    if (!messages.length) {
      ui.messages.append(el("li", "empty", IS_STAFF ? t("No messages yet.") : t("No messages yet. Write below: the platform's staff answer here.")));
    }
    for (const message of messages) this.renderMessage(message, false);
    for (const pending of state.outbox) if (pending.conversationId === id) ui.messages.append(pending.element);
    ui.messages.scrollTop = ui.messages.scrollHeight;
  },

  messageElement(message) {
    const mine = (message.clientMessageId && state.sentIds.has(message.clientMessageId))
      || (message.kind !== "SYSTEM" && message.author.displayName === state.me);
    const li = el("li", "msg");
    if (message.kind === "SYSTEM") li.classList.add("system");
    if (message.urgent) li.classList.add("urgent");
    if (message.author.isStaff) li.classList.add("staff");
    if (mine) li.classList.add("mine");
    li.dataset.seq = message.seq;
    if (message.clientMessageId) li.dataset.clientId = message.clientMessageId;
    const head = el("div", "msg-head");
    head.append(el("span", "msg-author", message.kind === "SYSTEM" ? t("Switchboard") : message.author.displayName));
    if (message.author.isStaff && message.kind !== "SYSTEM") head.append(el("span", "badge badge-soft", t("Staff")));
    if (message.urgent) head.append(el("span", "badge badge-urgent", t("Urgent")));
    const time = el("time", "", timeFormat.format(new Date(message.sentAt)));
    time.dateTime = message.sentAt;
    head.append(time);
    li.append(head, el("div", "msg-body", message.body));
    if (message.report && message.kind !== "SYSTEM") {
      const known = this.conversation()?.reports.find((r) => r.requestId === message.report.requestId);
      const line = el("div", "msg-report", reportLine(known && known.desk ? known : message.report));
      line.dataset.requestId = message.report.requestId;
      li.append(line);
    }
    return li;
  },

  renderMessage(message, scroll = true) {
    const empty = ui.messages.querySelector(".empty");
    if (empty) empty.remove();
    const pending = message.clientMessageId && ui.messages.querySelector(`.pending[data-client-id="${CSS.escape(message.clientMessageId)}"]`);
    const element = this.messageElement(message);
    // Keep seq order even when a backfilled message arrives after a later one.
    const later = [...ui.messages.querySelectorAll("li.msg:not(.pending)")].find((li) => Number(li.dataset.seq) > message.seq);
    if (pending) pending.replaceWith(element);
    else if (later) later.before(element);
    else {
      const firstPending = ui.messages.querySelector(".pending");
      if (firstPending) firstPending.before(element); else ui.messages.append(element);
    }
    const nearBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 200;
    if (scroll && nearBottom) ui.messages.scrollTop = ui.messages.scrollHeight;
  },

  onPresence(presence) {
    const n = presence.staffOnline;
    ui.staffOnline.textContent = n ? t("%(count)s staff online", { count: n }) : t("No staff online — urgent reports still page the on-call team");
    ui.staffOnline.className = `pill ${n ? "pill-ok" : "pill-warn"}`;
    if (presence.typing) {
      const name = `${presence.typing}${presence.typingIsStaff ? ` ${t("(staff)")}` : ""}`;
      ui.typing.textContent = t("%(name)s is typing…", { name });
      clearTimeout(state.typingTimer);
      state.typingTimer = setTimeout(() => { ui.typing.textContent = ""; }, 4000);
    }
  },

  typing() {
    const now = Date.now();
    if (!state.current || !this.socket?.ready || now - state.lastTypingSent < 2500 || !ui.body.value.trim()) return;
    state.lastTypingSent = now;
    this.socket.request(M_TYPING, { id: state.current }).catch(() => {});
  },

  toggleUrgent() {
    const on = ui.urgent.checked;
    ui.reportFields.hidden = !on;
    ui.composer.classList.toggle("is-urgent", on);
    ui.send.textContent = on ? t("Send urgent report") : t("Send");
    if (on) ui.category.focus();
  },

  parseTargets() {
    return ui.targets.value.split(/\n+/).map((line) => line.trim()).filter(Boolean).map((value) => {
      if (value.startsWith("@")) return { kind: "USERNAME", value };
      if (/^(https?:\/\/)?(www\.)?(t|telegram)\.me\//i.test(value)) {
        const path = value.replace(/^(https?:\/\/)?[^/]+\//, "").split("/").filter(Boolean);
        return { kind: path.length >= 2 ? "MESSAGE_LINK" : "CHANNEL", value };
      }
      return { kind: "USERNAME", value };
    });
  },

  send() {
    const body = ui.body.value;
    if (ui.urgent.checked && !ui.category.value) {
      // No default: a rushed report must not go to a desk nobody chose.
      ui.categoryError.textContent = t("Choose what the report is about: it decides the desk and the clock.");
      ui.category.setAttribute("aria-invalid", "true");
      ui.category.focus();
      return;
    }
    if (!body.trim()) { ui.error.textContent = t("Write a message before sending."); return; }
    if (new TextEncoder().encode(body).length > 8192) {
      ui.error.textContent = t("A message is at most 8 KB. Shorten it or split it in two.");
      return;
    }
    const conversationId = state.current;
    if (!conversationId) return;
    const clientMessageId = crypto.randomUUID();
    const input = { conversationId, body, clientMessageId };
    if (ui.urgent.checked) {
      const targets = this.parseTargets();
      input.urgent = true;
      input.report = { category: ui.category.value, ...(targets.length ? { targets } : {}) };
    }
    state.sentIds.add(clientMessageId);
    const element = this.messageElement({
      seq: Infinity, kind: "USER", body, urgent: !!input.urgent, clientMessageId, sentAt: new Date().toISOString(),
      author: { displayName: state.me || t("You"), isStaff: IS_STAFF }, report: null,
    });
    element.classList.add("pending", "mine");
    element.querySelector("time").textContent = t("sending…");
    const pending = { clientMessageId, conversationId, input, element, draft: { body, urgent: ui.urgent.checked, targets: ui.targets.value, category: ui.category.value } };
    state.outbox.push(pending);
    ui.messages.querySelector(".empty")?.remove();
    ui.messages.append(element);
    ui.messages.scrollTop = ui.messages.scrollHeight;
    ui.body.value = "";
    ui.targets.value = "";
    ui.category.value = "";
    ui.urgent.checked = false;
    this.toggleUrgent();
    ui.error.textContent = "";
    ui.reportError.textContent = "";
    this.deliver(pending);
  },

  flushOutbox() { for (const pending of [...state.outbox]) this.deliver(pending); },

  async deliver(pending) {
    if (!this.socket.ready || pending.inFlight) return;  // retried on reconnect (same clientMessageId)
    pending.inFlight = true;
    try {
      const data = await this.socket.request(M_SEND, { input: pending.input });
      const result = data.sendHotlineMessage;
      state.outbox = state.outbox.filter((p) => p !== pending);
      if (result.messages) {
        this.refuse(pending, result.messages);
        return;
      }
      if (!this.accept(pending.conversationId, result)) return;  // the subscription was first
      if (result.report) this.updateReport(result.report);
    } catch {
      pending.inFlight = false;  // connection lost: sent again after the reconnect
    }
  },

  refuse(pending, messages) {
    pending.element.remove();
    if (pending.conversationId === state.current) {
      // Give the text back so nothing typed under stress is lost.
      ui.body.value = pending.draft.body;
      if (pending.draft.urgent) {
        ui.urgent.checked = true;
        ui.targets.value = pending.draft.targets;
        ui.category.value = pending.draft.category;
        this.toggleUrgent();
      }
    }
    const report = messages.filter((m) => (m.field || "").startsWith("report"));
    const rest = messages.filter((m) => !(m.field || "").startsWith("report"));
    ui.reportError.textContent = report.map((m) => m.message).join(" ");
    ui.error.textContent = rest.map((m) => m.message).join(" ");
    (report.length ? ui.targets : ui.body).focus();
  },

  showStreamError(errors) {
    const text = (errors || []).map((e) => e.message).join(" ");
    if (text && text !== "Connection lost") ui.error.textContent = text;
  },
};

app.start();
