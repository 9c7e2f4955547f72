// CMC Assistant chat widget: Rasa's socket.io channel (bot/channels/socketio.py).
// Everything a person or the bot wrote is shown with textContent, never as HTML.
(function () {
  "use strict";

  var SESSION_KEY = "cmc-chat-session";
  var LANGUAGE_KEY = "cmc-chat-language";

  var root = document.getElementById("chat");
  if (!root || typeof io !== "function") { return; }
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var send = document.getElementById("chat-send");
  var newConversation = document.getElementById("chat-new");
  var status = document.getElementById("chat-status");
  var language = root.dataset.lang;
  var sessionId = null;

  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }
  function forget(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* private mode */ }
  }
  function stored(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }

  function setState(state, text) {
    root.dataset.state = state;
    status.textContent = text;
    var ready = state === "ready";
    input.disabled = !ready;
    send.disabled = !ready;
    newConversation.disabled = !ready;
  }

  function clearQuickReplies() {
    var groups = log.querySelectorAll(".quick-replies");
    for (var i = 0; i < groups.length; i++) { groups[i].remove(); }
  }

  function addMessage(sender, text, quickReplies) {
    var item = document.createElement("li");
    item.className = "message message-" + sender;
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (sender === "user" ? root.dataset.labelYou : root.dataset.labelBot) + " : ";
    var body = document.createElement("p");
    body.textContent = text;
    item.appendChild(who);
    item.appendChild(body);
    if (quickReplies && quickReplies.length) {
      var group = document.createElement("div");
      group.className = "quick-replies";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", root.dataset.labelSuggestions);
      quickReplies.forEach(function (reply) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = reply.title;
        button.addEventListener("click", function () {
          sendMessage(reply.payload, reply.title);
        });
        group.appendChild(button);
      });
      item.appendChild(group);
    }
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
  }

  function showHistory(messages) {
    // Rebuilt in one go: screen readers are told to wait rather than read it all again.
    log.setAttribute("aria-busy", "true");
    log.textContent = "";
    messages.forEach(function (message) {
      addMessage(message.sender, message.text, message.quick_replies);
    });
    var groups = log.querySelectorAll(".quick-replies");
    for (var i = 0; i < groups.length - 1; i++) { groups[i].remove(); }
    log.setAttribute("aria-busy", "false");
  }

  var socket = io(root.dataset.socketUrl, { path: "/socket.io", transports: ["websocket"] });

  // `title`: a quick reply's (shown instead of its payload); `hidden`: a payload the
  // page sends on its own (the language switch), not shown.
  function sendMessage(text, title, hidden) {
    if (!sessionId) { return; }
    var metadata = { language: language };
    if (title) {
      metadata.quick_reply_title = title;
      addMessage("user", title);
      input.focus();  // the clicked button is removed with its group
    } else if (!hidden) {
      addMessage("user", text);
    }
    clearQuickReplies();
    status.textContent = root.dataset.statusTyping;
    socket.emit("user_uttered", { message: text, session_id: sessionId, metadata: metadata });
  }

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: stored(SESSION_KEY) });
  });
  socket.on("session_confirm", function (id) {
    var previous = stored(SESSION_KEY);
    var previousLanguage = stored(LANGUAGE_KEY);
    sessionId = id;
    store(SESSION_KEY, id);
    store(LANGUAGE_KEY, language);
    setState("ready", root.dataset.statusReady);
    if (window.performance && performance.mark) { performance.mark("chat-ready"); }
    // The page language was switched during a conversation: the assistant follows.
    if (previous === id && previousLanguage && previousLanguage !== language) {
      sendMessage('/switch_language{"language":"' + language + '"}', null, true);
    }
  });
  socket.on("history", function (data) {
    if (data && Array.isArray(data.messages)) { showHistory(data.messages); }
  });
  socket.on("bot_uttered", function (message) {
    status.textContent = root.dataset.statusReady;
    if (message && typeof message.text === "string") {
      addMessage("bot", message.text, message.quick_replies);
    }
  });
  socket.on("input_error", function (data) {
    var text = data && data.message && data.message[language];
    if (text) { addMessage("bot", text); }
    status.textContent = root.dataset.statusReady;
  });
  socket.on("disconnect", function () {
    setState("offline", root.dataset.statusOffline);
  });
  socket.on("connect_error", function () {
    setState("offline", root.dataset.statusOffline);
  });

  // A shared computer: the next person must not see, nor continue, this conversation.
  newConversation.addEventListener("click", function () {
    forget(SESSION_KEY);
    sessionId = null;
    log.textContent = "";
    setState("connecting", root.dataset.statusConnecting);
    socket.emit("session_request", { session_id: null });
    input.focus();
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    sendMessage(text);
    input.focus();
  });
})();
