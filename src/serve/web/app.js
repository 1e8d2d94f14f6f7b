// The page for authors: one image in, alt text out. No framework, no external requests: the
// image goes to this server's POST /v1/describe and nowhere else.
'use strict';

const LIMIT = 2000; // Bluesky's limit for alt text
const $ = (id) => document.getElementById(id);
const form = $('form'), fileInput = $('file'), drop = $('drop'), preview = $('preview');
const statusEl = $('status'), errorEl = $('error'), resultSection = $('result-section');
const result = $('result'), counter = $('counter'), copyButton = $('copy'), copied = $('copied');
const describeButton = $('describe'), tokenField = $('token-field'), tokenInput = $('token');
let chosen = null; // the File or Blob to describe
let previewUrl = null;

// Characters as people see them (grapheme clusters) where the browser can tell.
function countCharacters(text) {
  if (typeof Intl !== 'undefined' && Intl.Segmenter) {
    let n = 0;
    for (const _ of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) n++;
    return n;
  }
  return Array.from(text).length;
}

function updateCounter() {
  const n = countCharacters(result.value);
  counter.textContent = `${n} / ${LIMIT} characters` + (n > LIMIT ? ` — ${n - LIMIT} over the limit` : '');
  counter.classList.toggle('over', n > LIMIT);
}

function showError(message) {
  errorEl.textContent = message;
  errorEl.hidden = false;
  statusEl.textContent = '';
}

function clearError() {
  errorEl.hidden = true;
  errorEl.textContent = '';
}

function choose(file) {
  if (!file) return;
  chosen = file;
  clearError();
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = null;
  preview.hidden = true;
  if (file.type && file.type.startsWith('image/')) {
    previewUrl = URL.createObjectURL(file);
    preview.src = previewUrl;
    preview.hidden = false;
  }
  statusEl.textContent = `Chosen: ${file.name || 'pasted image'}. Press “Write alt text”.`;
}

fileInput.addEventListener('change', () => choose(fileInput.files[0]));

['dragenter', 'dragover'].forEach((type) => drop.addEventListener(type, (e) => {
  e.preventDefault();
  drop.classList.add('dragging');
}));
['dragleave', 'drop'].forEach((type) => drop.addEventListener(type, () => drop.classList.remove('dragging')));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer && e.dataTransfer.files[0];
  if (file) choose(file);
});

document.addEventListener('paste', (e) => {
  const items = (e.clipboardData && e.clipboardData.items) || [];
  for (const item of items) {
    if (item.kind === 'file') {
      e.preventDefault();
      choose(item.getAsFile());
      return;
    }
  }
});

async function describe() {
  clearError();
  if (!chosen) {
    showError('Choose an image first.');
    fileInput.focus();
    return;
  }
  const body = new FormData();
  body.append('image', chosen, chosen.name || 'pasted-image');
  body.append('mode', $('mode').value);
  body.append('lang', $('lang').value);
  const headers = {};
  const token = sessionStorage.getItem('altscribe-token') || tokenInput.value.trim();
  if (token) headers.Authorization = `Bearer ${token}`;

  describeButton.disabled = true;
  statusEl.textContent = 'Writing alt text…';
  try {
    const response = await fetch('/v1/describe', { method: 'POST', body, headers });
    let data = null;
    try { data = await response.json(); } catch (_) { /* not JSON: handled below */ }
    if (!response.ok) {
      if (response.status === 401) {
        tokenField.hidden = false;
        sessionStorage.removeItem('altscribe-token');
        showError('This server needs an API token. Enter it below and try again.');
        tokenInput.focus();
        return;
      }
      const reason = data && data.error ? data.error : `the server answered ${response.status}`;
      const wait = response.headers.get('Retry-After');
      showError(`Could not write alt text: ${reason}` + (response.status === 429 && wait ? ` (wait ${wait} s).` : ''));
      return;
    }
    if (token) sessionStorage.setItem('altscribe-token', token);
    const image = data.images[0];
    result.value = image.alt;
    updateCounter();
    resultSection.hidden = false;
    copied.textContent = '';
    statusEl.textContent = 'Alt text is ready below.';
    result.focus();
  } catch (err) {
    showError('Could not reach the server. Check your connection and try again.');
  } finally {
    describeButton.disabled = false;
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  describe();
});

result.addEventListener('input', updateCounter);

copyButton.addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(result.value);
  } catch (_) {
    result.select();
    document.execCommand('copy');
  }
  copied.textContent = 'Copied to the clipboard.';
});
