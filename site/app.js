// The notes page: plain browser JavaScript, no build step. The API's base URL comes only from
// config.js (written at deploy time). User text is only ever set through textContent.
"use strict";

(function () {
  const USER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
  const USER_STORAGE_KEY = "serverless-notes.userId";
  const PAGE_SIZE = 20;
  const CONFLICT_MESSAGE = "This note was changed elsewhere, reloaded.";

  const $ = (id) => document.getElementById(id);
  const statusEl = $("status");
  const userForm = $("user-form");
  const userInput = $("user-id");
  const notesSection = $("notes-section");
  const currentUserEl = $("current-user");
  const newNoteForm = $("new-note-form");
  const newNoteInput = $("new-note");
  const notesList = $("notes-list");
  const notesEmpty = $("notes-empty");
  const loadMoreButton = $("load-more");
  const shuffleButton = $("shuffle-mood");
  const moodResult = $("mood-result");
  const moodsBoard = $("moods-board");
  const moodsBody = $("moods-body");
  const noteTemplate = $("note-template");

  const state = { userId: null, notes: [], nextCursor: null };

  /** kind: "info" | "success" | "error" */
  function showStatus(message, kind) {
    statusEl.textContent = message;
    statusEl.dataset.kind = kind || "info";
  }

  function clearStatus() {
    statusEl.textContent = "";
    statusEl.dataset.kind = "idle";
  }

  function readApiUrl() {
    const config = window.SERVERLESS_NOTES_CONFIG;
    if (!config || typeof config.apiUrl !== "string" || config.apiUrl === "") return null;
    return config.apiUrl.replace(/\/+$/, "");
  }

  const apiUrl = readApiUrl();

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Calls the API; resolves with the parsed JSON body (null for 204), rejects with ApiError. */
  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(apiUrl + path, init);
    } catch {
      throw new ApiError(0, "NetworkError", "Could not reach the API. Check your connection.");
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = data && data.error;
      const message =
        error && typeof error.message === "string"
          ? error.message
          : "The API answered " + response.status + ".";
      throw new ApiError(response.status, (error && error.code) || "Error", message);
    }
    return data;
  }

  function notesPath(userId, noteId) {
    const base = "/users/" + encodeURIComponent(userId) + "/notes";
    return noteId === undefined ? base : base + "/" + encodeURIComponent(noteId);
  }

  function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
  }

  // ---- notes -------------------------------------------------------------------------------

  function renderNotes() {
    notesList.replaceChildren(...state.notes.map(renderNote));
    notesEmpty.hidden = state.notes.length > 0;
    loadMoreButton.hidden = state.nextCursor === null;
  }

  function renderNote(note) {
    const item = noteTemplate.content.firstElementChild.cloneNode(true);
    item.dataset.noteId = note.noteId;
    item.dataset.version = String(note.version);
    item.querySelector('[data-testid="note-text"]').textContent = note.note;

    const meta = item.querySelector('[data-testid="note-meta"]');
    const created = document.createElement("time");
    created.dateTime = note.createdAt;
    created.textContent = formatTime(note.createdAt);
    meta.append("Created ", created);
    if (note.updatedAt && note.updatedAt !== note.createdAt) {
      const updated = document.createElement("time");
      updated.dateTime = note.updatedAt;
      updated.textContent = formatTime(note.updatedAt);
      meta.append(" · edited ", updated);
    }

    const view = item.querySelector(".note-view");
    const editForm = item.querySelector(".note-edit");
    const editInput = editForm.querySelector("textarea");
    const editLabel = editForm.querySelector("label");
    editInput.id = "edit-" + note.noteId;
    editLabel.htmlFor = editInput.id;

    item.querySelector('[data-action="edit"]').addEventListener("click", () => {
      editInput.value = note.note;
      view.hidden = true;
      editForm.hidden = false;
      editInput.focus();
    });
    item.querySelector('[data-action="cancel"]').addEventListener("click", () => {
      editForm.hidden = true;
      view.hidden = false;
    });
    item.querySelector('[data-action="delete"]').addEventListener("click", (event) => {
      void deleteNote(note, event.currentTarget);
    });
    editForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void saveNote(note, editInput.value, editForm);
    });
    return item;
  }

  async function loadNotes(options) {
    const append = Boolean(options && options.append);
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (append && state.nextCursor) query.set("cursor", state.nextCursor);
    const userId = state.userId;
    const page = await api("GET", notesPath(userId) + "?" + query.toString());
    if (userId !== state.userId) return; // the user changed while this page was loading
    state.notes = append ? state.notes.concat(page.notes) : page.notes;
    state.nextCursor = page.nextCursor || null;
    renderNotes();
    notesSection.dataset.loadedFor = userId;
  }

  /** Runs one user action: clears the last message, disables `element` meanwhile, reports failures. */
  async function withBusy(element, work) {
    clearStatus();
    element.setAttribute("aria-busy", "true");
    const buttons = element.tagName === "BUTTON" ? [element] : element.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    try {
      await work();
    } catch (err) {
      showStatus(err instanceof ApiError ? err.message : "Something went wrong.", "error");
    } finally {
      element.removeAttribute("aria-busy");
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  function selectUser(userId) {
    state.userId = userId;
    state.notes = [];
    state.nextCursor = null;
    localStorage.setItem(USER_STORAGE_KEY, userId);
    userInput.value = userId;
    currentUserEl.textContent = userId;
    notesSection.hidden = false;
    delete notesSection.dataset.loadedFor;
    notesList.replaceChildren();
    notesEmpty.hidden = true;
    loadMoreButton.hidden = true;
    return withBusy(notesSection, () => loadNotes());
  }

  function addNote() {
    const text = newNoteInput.value;
    if (text.trim() === "") {
      showStatus("Write something first.", "error");
      return Promise.resolve();
    }
    return withBusy(newNoteForm, async () => {
      const created = await api("POST", notesPath(state.userId), { note: text });
      state.notes = [created].concat(state.notes);
      renderNotes();
      newNoteInput.value = "";
      showStatus("Note added.", "success");
    });
  }

  function saveNote(note, text, form) {
    return withBusy(form, async () => {
      try {
        const updated = await api("PUT", notesPath(state.userId, note.noteId), {
          note: text,
          version: note.version,
        });
        state.notes = state.notes.map((n) => (n.noteId === updated.noteId ? updated : n));
        renderNotes();
        showStatus("Note saved.", "success");
      } catch (err) {
        if (err instanceof ApiError && (err.status === 409 || err.status === 404)) {
          showStatus(
            err.status === 409 ? CONFLICT_MESSAGE : "This note no longer exists, reloaded.",
            "error",
          );
          await loadNotes();
          return;
        }
        throw err;
      }
    });
  }

  function deleteNote(note, button) {
    return withBusy(button, async () => {
      await api("DELETE", notesPath(state.userId, note.noteId));
      state.notes = state.notes.filter((n) => n.noteId !== note.noteId);
      renderNotes();
      showStatus("Note deleted.", "success");
    });
  }

  // ---- moods -------------------------------------------------------------------------------

  function renderMoods(members) {
    const sorted = members.slice().sort((a, b) => a.name.localeCompare(b.name));
    moodsBody.replaceChildren(
      ...sorted.map((member) => {
        const row = document.createElement("tr");
        row.dataset.testid = "mood-row";
        const name = document.createElement("th");
        name.scope = "row";
        name.dataset.testid = "mood-name";
        name.textContent = member.name;
        const status = document.createElement("td");
        status.dataset.testid = "mood-status";
        status.textContent = member.status;
        row.append(name, status);
        return row;
      }),
    );
    moodsBoard.hidden = false;
  }

  function shuffleMood() {
    return withBusy(shuffleButton, async () => {
      const picked = await api("POST", "/members");
      moodResult.textContent = picked.name + " is now " + picked.status + ".";
      moodResult.hidden = false;
      const board = await api("GET", "/members");
      renderMoods(board.members);
    });
  }

  // ---- start -------------------------------------------------------------------------------

  if (apiUrl === null) {
    showStatus(
      "This page is not configured: config.js did not set an API URL, so notes cannot be loaded.",
      "error",
    );
    document.querySelectorAll("button, input, textarea").forEach((el) => (el.disabled = true));
    document.body.dataset.configured = "false";
    return;
  }
  document.body.dataset.configured = "true";

  userForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const userId = userInput.value.trim();
    if (!USER_ID_PATTERN.test(userId)) {
      showStatus("A user id is 1–64 letters, digits, “_” or “-”.", "error");
      userInput.setAttribute("aria-invalid", "true");
      userInput.focus();
      return;
    }
    userInput.removeAttribute("aria-invalid");
    clearStatus();
    void selectUser(userId);
  });
  newNoteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void addNote();
  });
  loadMoreButton.addEventListener("click", () => {
    void withBusy(loadMoreButton, () => loadNotes({ append: true }));
  });
  shuffleButton.addEventListener("click", () => {
    void shuffleMood();
  });

  const remembered = localStorage.getItem(USER_STORAGE_KEY);
  if (remembered && USER_ID_PATTERN.test(remembered)) {
    void selectUser(remembered);
  }
})();
