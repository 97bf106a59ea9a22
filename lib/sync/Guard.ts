/**
 * The ingest guard for free-text fields of aggregate sources (search queries,
 * page paths, UTM values): they should never hold someone's email or phone
 * number, but a site or a searcher can put one there.
 */
const email = /[^\s@/?&=]+@[^\s@/?&=]+\.[a-z]{2,}/gi
const phone = /\+?\d[\d\s().-]{7,}\d/g

export const looksPersonal = (text: string) => new RegExp(email.source, "i").test(text) || new RegExp(phone.source).test(text)

/** Replaces email- or phone-looking parts with "(redacted)"; says whether it did. */
export const redactPersonal = (text: string): { text: string; redacted: boolean } => {
  const out = text.replace(email, "(redacted)").replace(phone, "(redacted)")
  return { text: out, redacted: out !== text }
}
