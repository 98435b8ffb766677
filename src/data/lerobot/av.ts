// The one place src/data/lerobot/ takes video and stats from: src/data/video and src/data/stats.ts
// (src/data/video/*.ts, src/data/stats.ts), by the interface fixed in the data brief.
export { probeVideo } from '../video/probe.ts';
export { encodeVideo, encodeDepthVideo, rgbVideoInfo, depthVideoInfo, depthQuantizationOf } from '../video/encode.ts';
export { concatVideos } from '../video/concat.ts';
export { decodeFrames, decodeDepthFrames } from '../video/decode.ts';
export { featureStats, aggregateStats, toLeRobotStats, type FeatureStats } from '../stats.ts';
