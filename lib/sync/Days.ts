/** Calendar days as YYYY-MM-DD strings, the form every API here speaks. */
export const dayOf = (d: Date) => d.toISOString().slice(0, 10)
export const addDays = (iso: string, n: number) => dayOf(new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000))
/** Every day from `from` to `until`, inclusive. */
export const daysBetween = (from: string, until: string) => {
  const days: Array<string> = []
  for (let d = from; d <= until; d = addDays(d, 1)) days.push(d)
  return days
}
