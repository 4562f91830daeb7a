/** The hexagon mark, inline: it needs no request and no URL, so it shows under any base path. */
export function BrandMark() {
  return (
    <svg viewBox="0 0 32 32" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="#e0a526" d="M16 2l12 7v14l-12 7-12-7V9z" />
      <path fill="#1b1f24" d="M16 9l6 3.5v7L16 23l-6-3.5v-7z" />
    </svg>
  );
}
