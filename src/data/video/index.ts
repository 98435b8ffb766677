// The video layer of datasets in one import: AV1 and depth segments, concatenation, probing, frame-exact decoding,
// depth quantization and the decoded-frame cache.
export { encodeVideo, encodeDepthVideo, rgbVideoInfo, depthVideoInfo, depthQuantizationOf, RGB_DEFAULTS, DEPTH_VIDEO, type EncodeOptions } from './encode.ts';
export { concatVideos, type Span } from './concat.ts';
export { probeVideo, probePackets, type VideoProbe, type PacketTimes } from './probe.ts';
export { decodeFrames, decodeDepthFrames, decodeAllFrames, probeCached, DEFAULT_TOLERANCE_S, type DecodeOptions } from './decode.ts';
export { quantizeDepth, dequantizeDepth, depthErrorBound, DEPTH_DEFAULTS, DEPTH_QMAX, type DepthQuantization } from './depth.ts';
export { FrameCache, type FrameAt, type FrameCacheOptions } from './cache.ts';
