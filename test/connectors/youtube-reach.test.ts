import { Either, ParseResult, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { instantKey, pacificDay, pacificMidnight, ReachCsv, reportDay } from "../../lib/connectors/youtube/Api.ts"

const decode = (csv: string) => Schema.decodeUnknownEither(ReachCsv)(csv)
const problem = (csv: string) => {
  const result = decode(csv)
  return Either.isLeft(result) ? ParseResult.TreeFormatter.formatErrorSync(result.left) : "decoded"
}
const header = "date,channel_id,video_id,subscribed_status,video_thumbnail_impressions,video_thumbnail_impressions_ctr"

describe("the reach report's CSV", () => {
  it("sums each video's day over the other dimensions, weighting the CTR by impressions; columns are found by name", () => {
    const csv = `${header}\n20261120,UCx,vid00000001,subscribed,300,0.06\n20261120,UCx,vid00000001,unsubscribed,700,0.04\n` +
      `20261120,UCx,vid00000002,unsubscribed,50,0.1\n`
    expect(decode(csv)).toEqual(Either.right([
      { date: "2026-11-20", channelId: "UCx", videoId: "vid00000001", impressions: 1000, ctr: 0.046 },
      { date: "2026-11-20", channelId: "UCx", videoId: "vid00000002", impressions: 50, ctr: 0.1 }
    ]))
    const reordered = "video_thumbnail_impressions_ctr,video_id,date,video_thumbnail_impressions\n0.05,vid00000001,2026-11-20,10\n"
    expect(decode(reordered)).toEqual(Either.right([{ date: "2026-11-20", channelId: null, videoId: "vid00000001", impressions: 10, ctr: 0.05 }]))
  })

  it("an empty CTR stays unknown, never a made-up zero; a header alone is a day without impressions", () => {
    expect(decode(`${header}\n20261120,UCx,vid00000001,subscribed,0,\n`)).toEqual(Either.right([{ date: "2026-11-20", channelId: "UCx", videoId: "vid00000001", impressions: 0, ctr: null }]))
    expect(decode(`${header}\n`)).toEqual(Either.right([]))
  })

  it("names what is wrong: a missing column, a short line, a number that is not one, a CTR given as a percentage", () => {
    expect(problem("date,video_id,video_thumbnail_impressions\n20261120,v,1\n")).toContain(
      "the report lacks the column(s) video_thumbnail_impressions_ctr (it has: date, video_id, video_thumbnail_impressions)"
    )
    expect(problem(`${header}\n20261120,UCx,vid00000001,300\n`)).toContain("line 2: 4 fields where the header has 6")
    expect(problem(`${header}\n20261120,UCx,vid00000001,subscribed,1e3,0.05\n`)).toContain('line 2: video_thumbnail_impressions: expected a whole number (got "1e3")')
    expect(problem(`${header}\n20261120,UCx,vid00000001,subscribed,100,4.6\n`)).toContain('line 2: video_thumbnail_impressions_ctr: expected a ratio from 0 to 1 (got "4.6")')
    expect(problem(`${header}\n2026/11/20,UCx,vid00000001,subscribed,100,0.05\n`)).toContain('line 2: date: expected YYYYMMDD (got "2026/11/20")')
    expect(problem("")).toContain("the report is empty")
  })
})

describe("report periods", () => {
  it("are Pacific days, in winter and in summer", () => {
    expect(pacificDay("2026-11-20T08:00:00Z")).toBe("2026-11-20")
    expect(pacificDay("2026-11-20T07:59:59Z")).toBe("2026-11-19")
    expect(reportDay({ startTime: "2026-11-20T08:00:00Z", endTime: "2026-11-21T08:00:00Z" })).toBe("2026-11-20")
    expect(reportDay({ startTime: "2026-07-01T07:00:00.000000Z", endTime: "2026-07-02T07:00:00.000000Z" })).toBe("2026-07-01")
  })

  it("the days the clocks change are 23 and 25 hours long, still one day each", () => {
    expect([pacificMidnight("2026-03-08"), pacificMidnight("2026-03-09")]).toEqual(["2026-03-08T08:00:00.000Z", "2026-03-09T07:00:00.000Z"])
    expect([pacificMidnight("2026-11-01"), pacificMidnight("2026-11-02")]).toEqual(["2026-11-01T07:00:00.000Z", "2026-11-02T08:00:00.000Z"])
    expect(reportDay({ startTime: "2026-03-08T08:00:00Z", endTime: "2026-03-09T07:00:00Z" })).toBe("2026-03-08")
    expect(reportDay({ startTime: "2026-11-01T07:00:00Z", endTime: "2026-11-02T08:00:00Z" })).toBe("2026-11-01")
  })

  it("a period that is not exactly one Pacific day is not a daily report", () => {
    // Midnight Oct 31 to the wrong "midnight" Nov 1 (an hour too long): it would spill into Nov 1.
    expect(reportDay({ startTime: "2026-10-31T07:00:00Z", endTime: "2026-11-01T08:00:00Z" })).toBeUndefined()
    expect(reportDay({ startTime: "2026-11-20T08:00:00Z", endTime: "2026-11-22T08:00:00Z" })).toBeUndefined()
    expect(reportDay({ startTime: "2026-11-20T00:00:00Z", endTime: "2026-11-21T00:00:00Z" })).toBeUndefined()
  })

  it("creation times order to the microsecond, whatever their precision", () => {
    expect(instantKey("2026-11-21T00:20:34.567123Z") > instantKey("2026-11-21T00:20:34.567Z")).toBe(true)
    expect(instantKey("2026-11-21T00:20:34.5671Z") < instantKey("2026-11-21T00:20:34.567123Z")).toBe(true)
    expect(instantKey("2026-11-21T00:20:34Z")).toBe("2026-11-21T00:20:34.000000Z")
  })
})
