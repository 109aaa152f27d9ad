// The notes page: plain browser JavaScript, no build step. The API's base URL and the user pool's
// app client come only from config.js (written at deploy time). User text is only ever set
// through textContent.
"use strict";

(function () {
  // Tokens from Cognito: the refresh token keeps a person signed in across reloads. localStorage
  // is readable by any script on this origin, which is why the page runs no third-party script.
  const SESSION_STORAGE_KEY = "serverless-notes.session";
  // Where the user id field of earlier versions remembered its value: cleared at start.
  const LEGACY_USER_STORAGE_KEY = "serverless-notes.userId";
  const PAGE_SIZE = 20;
  // Get a new ID token this long before the current one expires (or when the API answers 401).
  const REFRESH_MARGIN_MS = 5 * 60 * 1000;
  const PASSWORD_RULE =
    "A password needs at least 12 characters, with an upper-case letter, a lower-case letter and a digit.";
  const WRONG_CREDENTIALS = "Incorrect email or password.";

  const $ = (id) => document.getElementById(id);
  const banner = $("banner");
  const statusEl = $("status");
  const statusAction = $("status-action");
  const authSection = $("auth-section");
  const authHeading = $("auth-heading");
  const authForm = $("auth-form");
  const emailInput = $("auth-email");
  const passwordInput = $("auth-password");
  const codeInput = $("auth-code");
  const authSubmit = $("auth-submit");
  const resendButton = $("resend-code");
  const accountSection = $("account");
  const currentUserEl = $("current-user");
  const signOutButton = $("sign-out");
  const notesSection = $("notes-section");
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

  /** session: { idToken, refreshToken, sub, email, expiresAt } once signed in, else null. */
  const state = { session: null, notes: [], nextCursor: null, refreshTimer: null };

  /** kind: "info" | "success" | "error"; action: an optional { label, run } button beside it. */
  function showStatus(message, kind, action) {
    statusEl.textContent = message;
    statusEl.dataset.kind = kind || "info";
    banner.dataset.kind = statusEl.dataset.kind;
    statusAction.onclick = null;
    statusAction.hidden = !action;
    if (action) {
      statusAction.textContent = action.label;
      statusAction.onclick = () => void action.run();
    }
  }

  function clearStatus() {
    statusEl.textContent = "";
    statusEl.dataset.kind = "idle";
    banner.dataset.kind = "idle";
    statusAction.hidden = true;
    statusAction.onclick = null;
  }

  function readConfig() {
    const config = window.SERVERLESS_NOTES_CONFIG;
    if (!config || typeof config.apiUrl !== "string" || config.apiUrl === "") return null;
    const auth = config.auth || {};
    if (typeof auth.endpoint !== "string" || auth.endpoint === "" || !auth.clientId) return null;
    return { apiUrl: config.apiUrl.replace(/\/+$/, ""), auth };
  }

  const config = readConfig();

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** A refusal from Cognito: `code` is its exception name, `message` what to tell the person. */
  class AuthError extends Error {
    constructor(code, message) {
      super(message);
      this.code = code;
    }
  }

  // ---- Cognito -----------------------------------------------------------------------------
  // The user pool's plain JSON API over fetch (no SDK): the app client has no secret, and
  // USER_PASSWORD_AUTH needs no SRP maths in the page (see the README's sign-in section).

  async function cognito(action, body) {
    let response;
    try {
      response = await fetch(config.auth.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": "AWSCognitoIdentityProviderService." + action,
        },
        body: JSON.stringify(body),
      });
    } catch {
      throw new AuthError(
        "NetworkError",
        "Could not reach the sign-in service. Check your connection and try again.",
      );
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      // `__type` is the exception's name, sometimes with a namespace before a "#".
      const type = String((data && data.__type) || "Error")
        .split("#")
        .pop();
      const message = data && typeof data.message === "string" ? data.message : "";
      throw new AuthError(type, message || "The sign-in service answered " + response.status + ".");
    }
    return data || {};
  }

  /** What to tell the person about a Cognito refusal, in the page's own words. */
  function authMessage(error, action) {
    if (!(error instanceof AuthError)) return "Something went wrong.";
    switch (error.code) {
      case "NetworkError":
        return error.message;
      case "NotAuthorizedException":
        if (/attempts exceeded/i.test(error.message)) {
          return "Too many failed attempts. Wait a few minutes, then try again.";
        }
        if (action === "ConfirmSignUp") return "This account is already confirmed: sign in.";
        return WRONG_CREDENTIALS;
      // The pool prevents user existence errors; an emulator may still name them, and a wrong
      // password at sign-in is not a password-policy matter either way.
      case "UserNotFoundException":
        return WRONG_CREDENTIALS;
      case "InvalidPasswordException":
        return action === "InitiateAuth" ? WRONG_CREDENTIALS : PASSWORD_RULE;
      case "UserNotConfirmedException":
        return "Your email address is not confirmed yet: enter the code we emailed you, or send a new one.";
      case "UsernameExistsException":
        return "An account with this email already exists: sign in, or confirm it with the emailed code.";
      case "CodeMismatchException":
        return "That code is not right. Check the latest email from us and try again.";
      case "ExpiredCodeException":
        return "That code has expired. Send a new code and enter that one.";
      case "PasswordResetRequiredException":
        return "This account's password must be reset before it can sign in.";
      case "TooManyRequestsException":
      case "LimitExceededException":
      case "TooManyFailedAttemptsException":
        return "Too many attempts. Wait a few minutes, then try again.";
      case "InvalidParameterException":
        return "Check the email address and password: " + error.message;
      default:
        return "Sign-in failed: " + error.message;
    }
  }

  /** The claims of a JWT, unverified: the page only reads its own `sub`, `email` and `exp`. */
  function jwtClaims(token) {
    try {
      const part = token.split(".")[1];
      const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
      const padded = base64.padEnd(Math.ceil(base64.length / 4) * 4, "=");
      const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }

  /** A session from an ID token and its refresh token, or null when the token is unreadable. */
  function sessionOf(idToken, refreshToken) {
    const claims = typeof idToken === "string" ? jwtClaims(idToken) : null;
    if (!claims || typeof claims.sub !== "string" || typeof refreshToken !== "string") return null;
    return {
      idToken,
      refreshToken,
      sub: claims.sub,
      email: typeof claims.email === "string" ? claims.email : claims.sub,
      expiresAt: typeof claims.exp === "number" ? claims.exp * 1000 : 0,
    };
  }

  function storeSession(session) {
    localStorage.setItem(
      SESSION_STORAGE_KEY,
      JSON.stringify({ idToken: session.idToken, refreshToken: session.refreshToken }),
    );
  }

  function storedSession() {
    try {
      const stored = JSON.parse(localStorage.getItem(SESSION_STORAGE_KEY) || "null");
      return stored ? sessionOf(stored.idToken, stored.refreshToken) : null;
    } catch {
      return null;
    }
  }

  function scheduleRefresh() {
    clearTimeout(state.refreshTimer);
    if (!state.session) return;
    const delay = Math.max(0, state.session.expiresAt - REFRESH_MARGIN_MS - Date.now());
    state.refreshTimer = setTimeout(() => {
      // A failure here is retried by the next API call, which checks the expiry first.
      refreshTokens().catch(() => undefined);
    }, delay);
  }

  let refreshing = null;

  /** New ID token from the refresh token; one at a time, however many callers ask. */
  function refreshTokens() {
    if (refreshing) return refreshing;
    const session = state.session;
    if (!session) return Promise.reject(new ApiError(401, "Unauthorized", "Please sign in."));
    refreshing = (async () => {
      try {
        const reply = await cognito("InitiateAuth", {
          AuthFlow: "REFRESH_TOKEN_AUTH",
          ClientId: config.auth.clientId,
          AuthParameters: { REFRESH_TOKEN: session.refreshToken },
        });
        const result = reply.AuthenticationResult || {};
        const renewed = sessionOf(result.IdToken, result.RefreshToken || session.refreshToken);
        if (!renewed || renewed.sub !== session.sub) {
          throw new AuthError("NotAuthorizedException", "no usable ID token");
        }
        if (state.session !== session) return; // signed out meanwhile
        state.session = renewed;
        storeSession(renewed);
        scheduleRefresh();
      } catch (error) {
        if (error instanceof AuthError && error.code === "NotAuthorizedException") {
          // The refresh token expired or was revoked: only a password gets the person back in.
          if (state.session === session) endSession();
          throw new ApiError(
            401,
            "Unauthorized",
            "Your sign-in has expired. Please sign in again.",
          );
        }
        throw new ApiError(0, error.code || "NetworkError", authMessage(error));
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function currentIdToken() {
    if (!state.session) throw new ApiError(401, "Unauthorized", "Please sign in.");
    if (state.session.expiresAt - Date.now() < 60 * 1000) await refreshTokens();
    return state.session.idToken;
  }

  // ---- the API -----------------------------------------------------------------------------

  /**
   * Calls the API; resolves with the parsed JSON body (null for 204), rejects with ApiError.
   * With `signedIn`, sends the ID token, and after a 401 gets a new one and tries once more.
   */
  async function api(method, path, body, signedIn) {
    const send = async () => {
      const init = { method, headers: {} };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      if (signedIn) init.headers.Authorization = await currentIdToken();
      try {
        return await fetch(config.apiUrl + path, init);
      } catch {
        throw new ApiError(0, "NetworkError", "Could not reach the API. Check your connection.");
      }
    };
    let response = await send();
    if (signedIn && response.status === 401) {
      await refreshTokens();
      response = await send();
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

  function notesPath(noteId) {
    const base = "/users/" + encodeURIComponent(state.session.sub) + "/notes";
    return noteId === undefined ? base : base + "/" + encodeURIComponent(noteId);
  }

  function formatTime(iso) {
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
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
      if (err instanceof ApiError) showStatus(err.message, "error");
      else showStatus(authMessage(err), "error");
    } finally {
      element.removeAttribute("aria-busy");
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  // ---- signing in and out ------------------------------------------------------------------

  const AUTH_MODES = {
    "sign-in": { heading: "Sign in", submit: "Sign in", password: "current-password" },
    "sign-up": { heading: "Create an account", submit: "Create account", password: "new-password" },
    confirm: { heading: "Confirm your email", submit: "Confirm", password: "current-password" },
  };

  function setAuthMode(mode) {
    authForm.dataset.mode = mode;
    authHeading.textContent = AUTH_MODES[mode].heading;
    authSubmit.textContent = AUTH_MODES[mode].submit;
    passwordInput.autocomplete = AUTH_MODES[mode].password;
    authForm.querySelectorAll("[data-for-mode]").forEach((el) => {
      el.hidden = !el.dataset.forMode.split(" ").includes(mode);
    });
  }

  function invalid(input, message) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
    showStatus(message, "error");
  }

  /** The form's email, or null (with a message) when it does not look like one. */
  function formEmail() {
    const email = emailInput.value.trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      invalid(emailInput, "Enter your email address.");
      return null;
    }
    emailInput.removeAttribute("aria-invalid");
    return email;
  }

  async function signIn(email, password) {
    let reply;
    try {
      reply = await cognito("InitiateAuth", {
        AuthFlow: "USER_PASSWORD_AUTH",
        ClientId: config.auth.clientId,
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
    } catch (error) {
      if (error instanceof AuthError && error.code === "UserNotConfirmedException") {
        setAuthMode("confirm");
        codeInput.focus();
      }
      throw error;
    }
    const result = reply.AuthenticationResult || {};
    const session = sessionOf(result.IdToken, result.RefreshToken);
    if (!session) {
      // e.g. NEW_PASSWORD_REQUIRED for a person an operator created with a temporary password.
      throw new AuthError(
        reply.ChallengeName || "Error",
        "This account needs a step this page does not offer (" +
          (reply.ChallengeName || "no tokens") +
          "). Ask the operator.",
      );
    }
    passwordInput.value = "";
    codeInput.value = "";
    storeSession(session);
    await startSession(session);
  }

  function submitAuth() {
    const mode = authForm.dataset.mode;
    const email = formEmail();
    if (email === null) return Promise.resolve();
    const password = passwordInput.value;
    if (mode !== "confirm" && password === "") {
      invalid(passwordInput, "Enter your password.");
      return Promise.resolve();
    }
    if (mode === "sign-up" && !passwordFollowsRule(password)) {
      invalid(passwordInput, PASSWORD_RULE);
      return Promise.resolve();
    }
    const code = codeInput.value.trim();
    if (mode === "confirm" && code === "") {
      invalid(codeInput, "Enter the code from the email.");
      return Promise.resolve();
    }
    passwordInput.removeAttribute("aria-invalid");
    codeInput.removeAttribute("aria-invalid");
    return withBusy(authForm, async () => {
      try {
        if (mode === "sign-in") {
          await signIn(email, password);
        } else if (mode === "sign-up") {
          await cognito("SignUp", {
            ClientId: config.auth.clientId,
            Username: email,
            Password: password,
            UserAttributes: [{ Name: "email", Value: email }],
          });
          setAuthMode("confirm");
          codeInput.focus();
          showStatus(
            "We emailed a code to " + email + ". Enter it to confirm your account.",
            "info",
          );
        } else {
          await cognito("ConfirmSignUp", {
            ClientId: config.auth.clientId,
            Username: email,
            ConfirmationCode: code,
          });
          codeInput.value = "";
          // Just signed up on this page: the password is still in the (hidden) field.
          if (password !== "") {
            await signIn(email, password);
          } else {
            setAuthMode("sign-in");
            passwordInput.focus();
            showStatus("Your email address is confirmed. Sign in with your password.", "success");
          }
        }
      } catch (error) {
        if (error instanceof AuthError) {
          throw new ApiError(0, error.code, authMessage(error, actionOf(mode)));
        }
        throw error;
      }
    });
  }

  const actionOf = (mode) =>
    ({ "sign-in": "InitiateAuth", "sign-up": "SignUp", confirm: "ConfirmSignUp" })[mode];

  function passwordFollowsRule(password) {
    return (
      password.length >= 12 &&
      /[a-z]/.test(password) &&
      /[A-Z]/.test(password) &&
      /\d/.test(password)
    );
  }

  function resendCode() {
    const email = formEmail();
    if (email === null) return Promise.resolve();
    return withBusy(resendButton, async () => {
      try {
        await cognito("ResendConfirmationCode", {
          ClientId: config.auth.clientId,
          Username: email,
        });
      } catch (error) {
        throw new ApiError(0, error.code, "Could not send a new code. " + authMessage(error));
      }
      showStatus("If " + email + " has an account, a new code is on its way.", "info");
    });
  }

  /** Shows the signed-in page for `session` and lists its notes. */
  function startSession(session) {
    state.session = session;
    state.notes = [];
    state.nextCursor = null;
    scheduleRefresh();
    currentUserEl.textContent = session.email;
    currentUserEl.title = session.email;
    authSection.hidden = true;
    accountSection.hidden = false;
    notesSection.hidden = false;
    delete notesSection.dataset.loadedFor;
    notesList.replaceChildren();
    notesEmpty.hidden = true;
    loadMoreButton.hidden = true;
    return withBusy(notesSection, () => loadNotes());
  }

  /** Forgets the session: tokens, notes and the signed-in view. */
  function endSession() {
    clearTimeout(state.refreshTimer);
    state.session = null;
    state.notes = [];
    state.nextCursor = null;
    localStorage.removeItem(SESSION_STORAGE_KEY);
    notesList.replaceChildren();
    newNoteInput.value = "";
    delete notesSection.dataset.loadedFor;
    notesSection.hidden = true;
    accountSection.hidden = true;
    currentUserEl.textContent = "";
    authSection.hidden = false;
    setAuthMode("sign-in");
  }

  function signOut() {
    const refreshToken = state.session && state.session.refreshToken;
    endSession();
    showStatus("Signed out.", "success");
    // RevokeToken rather than GlobalSignOut: it ends this browser's refresh token (so a copy of
    // it is worthless) without signing the person out on their other devices. An ID token
    // already issued stays valid until it expires (at most an hour); the page has forgotten it.
    // Best effort: offline, the tokens are still gone from this browser.
    if (refreshToken) {
      cognito("RevokeToken", { ClientId: config.auth.clientId, Token: refreshToken }).catch(
        () => undefined,
      );
    }
  }

  // ---- notes -------------------------------------------------------------------------------

  function renderNotes() {
    notesList.replaceChildren(...state.notes.map(renderNote));
    notesEmpty.hidden = state.notes.length > 0;
    loadMoreButton.hidden = state.nextCursor === null;
  }

  /** Puts `note`'s text and times into its list item's view. */
  function fillView(item, note) {
    item.dataset.version = String(note.version);
    item.querySelector('[data-testid="note-text"]').textContent = note.note;
    const meta = item.querySelector('[data-testid="note-meta"]');
    const created = document.createElement("time");
    created.dateTime = note.createdAt;
    created.textContent = formatTime(note.createdAt);
    meta.replaceChildren("Created ", created);
    if (note.updatedAt && note.updatedAt !== note.createdAt) {
      const updated = document.createElement("time");
      updated.dateTime = note.updatedAt;
      updated.textContent = formatTime(note.updatedAt);
      meta.append(" · edited ", updated);
    }
  }

  function renderNote(note) {
    const item = noteTemplate.content.firstElementChild.cloneNode(true);
    item.dataset.noteId = note.noteId;
    fillView(item, note);
    // The note as last read from the API: a conflict replaces it with the latest version.
    const current = () => state.notes.find((n) => n.noteId === note.noteId) || note;

    const view = item.querySelector(".note-view");
    const editForm = item.querySelector(".note-edit");
    const editInput = editForm.querySelector("textarea");
    const editLabel = editForm.querySelector("label");
    const conflict = editForm.querySelector(".conflict");
    editInput.id = "edit-" + note.noteId;
    editLabel.htmlFor = editInput.id;
    editForm.noValidate = true;

    item.querySelector('[data-action="edit"]').addEventListener("click", () => {
      editInput.value = current().note;
      conflict.hidden = true;
      view.hidden = true;
      editForm.hidden = false;
      editInput.focus();
    });
    item.querySelector('[data-action="cancel"]').addEventListener("click", () => {
      editForm.hidden = true;
      conflict.hidden = true;
      view.hidden = false;
    });
    item.querySelector('[data-action="delete"]').addEventListener("click", (event) => {
      void deleteNote(current(), event.currentTarget);
    });
    const save = () => {
      if (editInput.value.trim() === "") {
        showStatus("A note cannot be empty: write something, or delete the note.", "error");
        editInput.focus();
        return;
      }
      void saveNote(current(), editInput.value, item);
    };
    editForm.addEventListener("submit", (event) => {
      event.preventDefault();
      save();
    });
    item.querySelector('[data-action="reapply"]').addEventListener("click", save);
    return item;
  }

  async function loadNotes(options) {
    const append = Boolean(options && options.append);
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (append && state.nextCursor) query.set("cursor", state.nextCursor);
    const session = state.session;
    const page = await api("GET", notesPath() + "?" + query.toString(), undefined, true);
    if (state.session === null || state.session.sub !== session.sub) return; // signed out meanwhile
    state.notes = append ? state.notes.concat(page.notes) : page.notes;
    state.nextCursor = page.nextCursor || null;
    renderNotes();
    notesSection.dataset.loadedFor = session.sub;
  }

  function addNote() {
    const text = newNoteInput.value;
    if (text.trim() === "") {
      showStatus("A note cannot be empty: write something first.", "error");
      newNoteInput.focus();
      return Promise.resolve();
    }
    return withBusy(newNoteForm, async () => {
      const created = await api("POST", notesPath(), { note: text }, true);
      state.notes = [created].concat(state.notes);
      renderNotes();
      newNoteInput.value = "";
      showStatus("Note added.", "success");
    });
  }

  /** Saves `text` over `note`; on a conflict keeps the text in the editor beside the latest. */
  function saveNote(note, text, item) {
    const form = item.querySelector(".note-edit");
    return withBusy(form, async () => {
      try {
        const updated = await api(
          "PUT",
          notesPath(note.noteId),
          { note: text, version: note.version },
          true,
        );
        state.notes = state.notes.map((n) => (n.noteId === updated.noteId ? updated : n));
        renderNotes();
        showStatus("Note saved.", "success");
      } catch (err) {
        if (!(err instanceof ApiError) || (err.status !== 409 && err.status !== 404)) throw err;
        const latest =
          err.status === 409
            ? await api("GET", notesPath(note.noteId), undefined, true).catch((e) => {
                if (e instanceof ApiError && e.status === 404) return null;
                throw e;
              })
            : null;
        if (latest) {
          state.notes = state.notes.map((n) => (n.noteId === latest.noteId ? latest : n));
          fillView(item, latest);
          const conflict = form.querySelector(".conflict");
          conflict.querySelector(".latest-text").textContent = latest.note;
          conflict.hidden = false;
          showStatus(
            "This note was changed elsewhere. Your text is kept in the editor: reapply it on the latest version, or cancel.",
            "error",
          );
          return;
        }
        // Deleted elsewhere: the text moves to the new-note box, so nothing typed is lost.
        state.notes = state.notes.filter((n) => n.noteId !== note.noteId);
        renderNotes();
        newNoteInput.value = text;
        showStatus(
          "This note was deleted elsewhere. Your text is in the New note box, ready to add again.",
          "error",
        );
      }
    });
  }

  /** Deletes at once; the status banner (always on screen) offers to bring the note back. */
  function deleteNote(note, button) {
    return withBusy(button, async () => {
      await api("DELETE", notesPath(note.noteId), undefined, true);
      state.notes = state.notes.filter((n) => n.noteId !== note.noteId);
      renderNotes();
      const sub = state.session.sub;
      showStatus("Note deleted.", "success", {
        label: "Undo",
        run: () => restoreNote(sub, note.note),
      });
    });
  }

  /** Undo of a delete: the same text again, as a new note. */
  function restoreNote(sub, text) {
    return withBusy(statusAction, async () => {
      if (!state.session || state.session.sub !== sub) return;
      const created = await api("POST", notesPath(), { note: text }, true);
      state.notes = [created].concat(state.notes);
      renderNotes();
      showStatus("Note restored.", "success");
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
      // The moods are the camp lab's public routes: no token.
      const picked = await api("POST", "/members");
      moodResult.textContent = picked.name + " is now " + picked.status + ".";
      moodResult.hidden = false;
      const board = await api("GET", "/members");
      renderMoods(board.members);
    });
  }

  // ---- start -------------------------------------------------------------------------------

  localStorage.removeItem(LEGACY_USER_STORAGE_KEY);

  if (config === null) {
    showStatus(
      "This page is not configured: config.js did not set an API URL and sign-in, so notes cannot be loaded.",
      "error",
    );
    document.querySelectorAll("button, input, textarea").forEach((el) => (el.disabled = true));
    document.body.dataset.configured = "false";
    return;
  }
  document.body.dataset.configured = "true";
  setAuthMode("sign-in");

  authForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void submitAuth();
  });
  authForm.querySelectorAll("[data-show-mode]").forEach((button) => {
    button.addEventListener("click", () => {
      clearStatus();
      setAuthMode(button.dataset.showMode);
    });
  });
  resendButton.addEventListener("click", () => {
    void resendCode();
  });
  signOutButton.addEventListener("click", signOut);
  newNoteForm.noValidate = true;
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

  const remembered = storedSession();
  if (remembered) void startSession(remembered);
  else localStorage.removeItem(SESSION_STORAGE_KEY);
})();
