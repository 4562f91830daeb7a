/** The checked options and the free text become one answer string, joined with ", ". */
export function mergeAnswer(choices: string[], text: string | undefined): string {
  return [...choices, text?.trim() ?? ""].filter((part) => part.length > 0).join(", ");
}
