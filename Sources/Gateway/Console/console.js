// The account console at /console: enrolment, sign-in with a password or a passkey, the account's passkeys and
// step-up, all through the gateway's JSON API. The page is served under a Content-Security-Policy that allows
// only this file and console.css, so every handler is attached here: nothing inline would run.

const $ = (id) => document.getElementById(id);

// The tokens live in this module's memory only, never in storage: closing or reloading the tab forgets them,
// and nothing else on the origin can read them.
let tokens = null;
// One refresh at a time: a refresh token works once, and presenting it twice ends the whole session.
let refreshing = null;
// Counts finished actions (the status area's data-seq), so that a test can tell a new result from the one
// before even when both say the same thing.
let finished = 0;

/** A refusal from the gateway, with the RFC 9457 problem document's words. */
class ApiError extends Error {
  constructor(status, problem, authenticated) {
    const fallback = status ? `The gateway answered ${status}.` : 'The gateway cannot be reached.';
    super(problem?.detail || problem?.title || fallback);
    this.status = status;
    this.field = problem?.field;
    // A bearer call refused as unauthenticated, after a refresh was tried: the session is over.
    this.sessionEnded = authenticated && status === 401;
  }
}

/** Something the person has to fix in a form before anything is sent. */
class InputError extends Error {
  constructor(message, fieldId) {
    super(message);
    this.fieldId = fieldId;
  }
}

async function api(method, path, body, { auth = true, retry = true } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const bearer = auth && tokens ? tokens.access : null;
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null, false);
  }
  // Access tokens are short-lived; an expired one is renewed once, quietly, and the call repeated.
  if (response.status === 401 && bearer && retry && (await refreshSession(bearer))) {
    return api(method, path, body, { auth, retry: false });
  }
  const text = response.status === 204 ? '' : await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data, Boolean(bearer));
  return data;
}

function refreshSession(staleAccess) {
  const held = tokens;
  if (!held?.refresh) return Promise.resolve(false);
  if (held.access !== staleAccess) return Promise.resolve(true);
  refreshing ??= api('POST', '/v1/auth/refresh', { refreshToken: held.refresh }, { auth: false, retry: false })
    .then((answer) => {
      // Signed out meanwhile: the new tokens are not brought back to life.
      if (tokens !== held) return false;
      tokens = { access: answer.accessToken, refresh: answer.refreshToken };
      return true;
    })
    .catch(() => false)
    .finally(() => { refreshing = null; });
  return refreshing;
}

// --- Status and state -------------------------------------------------------------------------------------------

function report(action, result, message) {
  const status = $('status');
  status.dataset.action = action;
  status.dataset.result = result;
  if (result !== 'pending') status.dataset.seq = String(++finished);
  status.textContent = message;
}

function setState(state) {
  document.body.dataset.state = state;
  $('signed-in').hidden = state !== 'signed-in';
  $('signed-out').hidden = state !== 'signed-out';
}

/**
 * Runs one action started by the person: buttons are disabled meanwhile (a double click must not send a
 * second request or start a second ceremony), and the outcome lands in the status area.
 */
async function run(action, pending, work) {
  const buttons = [...document.querySelectorAll('main button')];
  const focused = document.activeElement;
  for (const input of document.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  buttons.forEach((button) => { button.disabled = true; });
  report(action, 'pending', pending);
  try {
    report(action, 'ok', await work());
  } catch (error) {
    let message = error instanceof ApiError || error instanceof InputError ? error.message : ceremonyMessage(error);
    if (error instanceof ApiError && error.sessionEnded) {
      forgetSession();
      message = 'Your session has ended. Sign in again.';
    }
    report(action, 'error', message);
    markInvalid(error.fieldId ?? fieldFor(action, error.field));
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
    // A disabled button loses the focus; give it back if nothing else took it and the button is still shown.
    if (document.activeElement === document.body && focused?.isConnected && !focused.closest('[hidden]')) {
      focused.focus();
    }
  }
}

// The request fields a problem document may name, per action, and the inputs that hold them.
const fields = {
  enrol: { token: 'invite-token', password: 'enrol-password' },
  login: { email: 'login-email', password: 'login-password' },
  'passkey-login': { email: 'passkey-login-email' },
  'passkey-add': { name: 'passkey-name' },
};

function fieldFor(action, field) {
  return field ? fields[action]?.[field] : undefined;
}

function markInvalid(fieldId) {
  const input = fieldId && $(fieldId);
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

/** The WebAuthn ceremony's DOMExceptions, in words; the browser's own messages are for developers. */
function ceremonyMessage(error) {
  switch (error?.name) {
    case 'NotAllowedError':
      return 'The passkey request was cancelled or timed out.';
    case 'AbortError':
      return 'The passkey request was cancelled.';
    case 'InvalidStateError':
      return 'This authenticator already holds a passkey for your account.';
    case 'SecurityError':
      return 'Passkeys cannot be used at this address: it does not match the gateway\'s configured site.';
    case 'NotSupportedError':
      return 'This browser or device does not support the passkey requested.';
    default:
      return error?.message || 'Something went wrong.';
  }
}

// --- WebAuthn JSON forms ------------------------------------------------------------------------------------------

function fromBase64url(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  let binary = '';
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const descriptor = (json) => ({ ...json, id: fromBase64url(json.id) });

// Browsers with WebAuthn Level 3 parse the gateway's JSON themselves; older ones get the byte fields converted.
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map(descriptor),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map(descriptor),
  };
}

function credentialJSON(credential, response) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response,
  };
}

function registrationJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const { response } = credential;
  return credentialJSON(credential, {
    clientDataJSON: toBase64url(response.clientDataJSON),
    attestationObject: toBase64url(response.attestationObject),
    transports: response.getTransports?.() ?? [],
  });
}

function assertionJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const { response } = credential;
  return credentialJSON(credential, {
    clientDataJSON: toBase64url(response.clientDataJSON),
    authenticatorData: toBase64url(response.authenticatorData),
    signature: toBase64url(response.signature),
    userHandle: response.userHandle ? toBase64url(response.userHandle) : undefined,
  });
}

function requirePasskeys() {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    throw new InputError('This browser does not support passkeys.');
  }
}

async function createPasskey(options) {
  requirePasskeys();
  return registrationJSON(await navigator.credentials.create({ publicKey: creationOptions(options) }));
}

async function usePasskey(options) {
  requirePasskeys();
  return assertionJSON(await navigator.credentials.get({ publicKey: requestOptions(options) }));
}

// --- Signed-in view -----------------------------------------------------------------------------------------------

// RFC 8176 authentication method references, as the session reports them.
const methodNames = {
  pwd: 'password',
  hwk: 'passkey kept on one device',
  swk: 'passkey synced between devices',
  mfa: 'more than one factor',
  user: 'presence confirmed',
  pin: 'PIN',
  fpt: 'fingerprint',
  face: 'face recognition',
};

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function showTime(element, date) {
  element.dateTime = date.toISOString();
  element.textContent = dateTime.format(date);
}

function renderMe(me) {
  $('whoami-name').textContent = me.account.name;
  $('whoami-email').textContent = me.account.email;
  $('whoami-roles').textContent = me.account.roles.join(', ') || 'none';
  const list = $('auth-methods');
  list.dataset.methods = me.session.authMethods.join(' ');
  list.replaceChildren(...me.session.authMethods.map((method) => {
    const item = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = method;
    item.append(code);
    if (methodNames[method]) item.append(` ${methodNames[method]}`);
    return item;
  }));
  showTime($('auth-time'), new Date(me.session.authTime * 1000));
}

async function loadMe() {
  const me = await api('GET', '/v1/auth/me');
  renderMe(me);
  return me;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function timeCell(value) {
  const td = document.createElement('td');
  if (value) {
    const time = document.createElement('time');
    showTime(time, new Date(value));
    td.append(time);
  } else {
    td.textContent = 'never';
  }
  return td;
}

function renderPasskeys(passkeys) {
  const rows = passkeys.map((passkey) => {
    const row = document.createElement('tr');
    row.dataset.passkeyId = passkey.id;
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'secondary danger';
    remove.textContent = 'Remove';
    remove.dataset.id = passkey.id;
    remove.dataset.name = passkey.name;
    remove.setAttribute('aria-label', `Remove passkey ${passkey.name}`);
    const action = document.createElement('td');
    action.append(remove);
    row.append(cell(passkey.name), timeCell(passkey.createdAt), timeCell(passkey.lastUsedAt),
      cell(passkey.backedUp ? 'yes' : 'no'), action);
    return row;
  });
  if (rows.length === 0) {
    const empty = cell('No passkeys yet. Add one to sign in without a password.');
    empty.colSpan = 5;
    empty.className = 'empty';
    rows.push(document.createElement('tr'));
    rows[0].append(empty);
  }
  $('passkey-list').replaceChildren(...rows);
}

async function loadPasskeys() {
  renderPasskeys((await api('GET', '/v1/webauthn/credentials')).passkeys);
}

async function startSession(answer) {
  tokens = { access: answer.accessToken, refresh: answer.refreshToken };
  try {
    const [me] = await Promise.all([loadMe(), loadPasskeys()]);
    setState('signed-in');
    $('whoami-heading').focus();
    return me;
  } catch (error) {
    forgetSession();
    throw error;
  }
}

function forgetSession() {
  tokens = null;
  for (const id of ['whoami-name', 'whoami-email', 'whoami-roles', 'auth-methods', 'auth-time', 'passkey-list']) {
    $(id).replaceChildren();
  }
  delete $('auth-methods').dataset.methods;
  $('auth-time').removeAttribute('datetime');
  $('passkey-name').value = '';
  setState('signed-out');
}

// --- Actions ------------------------------------------------------------------------------------------------------

async function enrol() {
  const token = $('invite-token').value.trim();
  const password = $('enrol-password').value;
  if (!token) throw new InputError('Paste the invite token from your invitation.', 'invite-token');
  if (!password) throw new InputError('Choose a password.', 'enrol-password');
  if (password !== $('enrol-password-repeat').value) {
    throw new InputError('The two passwords differ; type the same one twice.', 'enrol-password-repeat');
  }
  const account = await api('POST', '/v1/auth/enroll', { token, password }, { auth: false });
  for (const id of ['invite-token', 'enrol-password', 'enrol-password-repeat']) $(id).value = '';
  $('login-email').value = account.email;
  $('login-password').focus();
  return `Enrolled as ${account.email}. Sign in now with your new password.`;
}

async function passwordLogin() {
  const email = $('login-email').value.trim();
  const password = $('login-password').value;
  if (!email) throw new InputError('Enter your email.', 'login-email');
  if (!password) throw new InputError('Enter your password.', 'login-password');
  const answer = await api('POST', '/v1/auth/login', { email, password }, { auth: false });
  $('login-password').value = '';
  const me = await startSession(answer);
  return `Signed in as ${me.account.email}.`;
}

async function passkeyLogin() {
  const email = $('passkey-login-email').value.trim();
  const options = await api('POST', '/v1/webauthn/login/options', email ? { email } : {}, { auth: false });
  const credential = await usePasskey(options);
  const answer = await api('POST', '/v1/webauthn/login/verify', { credential }, { auth: false });
  const me = await startSession(answer);
  return `Signed in as ${me.account.email} with a passkey.`;
}

async function addPasskey() {
  const name = $('passkey-name').value.trim();
  if (name.length > 100) throw new InputError('A passkey name is at most 100 characters.', 'passkey-name');
  const options = await api('POST', '/v1/webauthn/register/options');
  const body = { credential: await createPasskey(options) };
  if (name) body.name = name;
  const passkey = await api('POST', '/v1/webauthn/register/verify', body);
  $('passkey-name').value = '';
  await loadPasskeys();
  return `Passkey added: ${passkey.name}.`;
}

async function removePasskey(id, name) {
  await api('DELETE', `/v1/webauthn/credentials/${encodeURIComponent(id)}`);
  await loadPasskeys();
  return `Passkey removed: ${name}. Remove it from the device too, where the device offers that.`;
}

async function stepUp() {
  const options = await api('POST', '/v1/webauthn/step-up/options');
  const credential = await usePasskey(options);
  const answer = await api('POST', '/v1/webauthn/step-up/verify', { credential });
  // The same session, now with a recent proof; the refresh token stays as it was.
  tokens = { ...tokens, access: answer.accessToken };
  await loadMe();
  return `Stepped up at ${dateTime.format(new Date(answer.steppedUpAt))}.`;
}

async function signOut() {
  try {
    await api('POST', '/v1/auth/logout');
  } catch (error) {
    // Already over on the gateway's side (expired or revoked): signing out here is all that is left to do.
    if (!(error instanceof ApiError && error.status === 401)) {
      forgetSession();
      throw new ApiError(error.status, {
        detail: `Signed out on this page, but the gateway did not confirm it (${error.message}). `
          + 'The session ends by itself when it expires.',
      }, false);
    }
  }
  forgetSession();
  $('login-heading').focus();
  return 'Signed out.';
}

// --- Wiring -------------------------------------------------------------------------------------------------------

function onSubmit(formId, action, pending, work) {
  $(formId).addEventListener('submit', (event) => {
    event.preventDefault();
    run(action, pending, work);
  });
}

function start() {
  onSubmit('enrol-form', 'enrol', 'Enrolling…', enrol);
  onSubmit('login-form', 'login', 'Signing in…', passwordLogin);
  onSubmit('passkey-login-form', 'passkey-login', 'Waiting for your passkey…', passkeyLogin);
  onSubmit('passkey-add-form', 'passkey-add', 'Waiting for your authenticator…', addPasskey);
  $('step-up').addEventListener('click', () => run('step-up', 'Waiting for your passkey…', stepUp));
  $('sign-out').addEventListener('click', () => run('sign-out', 'Signing out…', signOut));
  $('passkey-list').addEventListener('click', (event) => {
    const button = event.target.closest('button[data-id]');
    if (!button) return;
    const { id, name } = button.dataset;
    if (!window.confirm(`Remove the passkey "${name}"? It will no longer sign you in or step you up.`)) return;
    run('passkey-remove', 'Removing the passkey…', () => removePasskey(id, name));
  });

  // An invite link carries its token in the fragment, which browsers never send to a server (so it is in no
  // access log); it is taken from there and dropped from the address bar and history.
  const invite = new URLSearchParams(window.location.hash.slice(1)).get('invite');
  setState('signed-out');
  if (invite) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    $('invite-token').value = invite;
    $('enrol-password').focus();
    report('start', 'ok', 'Invite token filled in: choose a password to enrol.');
  }
}

start();
