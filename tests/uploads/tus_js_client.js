// Uploads a file with tus-js-client (the browser uploader's library) in Node, stopping after
// `stopAfter` bytes when asked, then resuming from the server's offset with a second Upload.
// Usage: node tus_js_client.js <endpoint> <token> <file> <chunkSize> <stopAfter|0>
// Prints one JSON line: {url, resumedFrom, videoId, videoUrl} or {error}.
const fs = require("fs");
const path = require("path");
const tus = require(path.join(process.env.NODE_MODULES || "node_modules", "tus-js-client"));

const [endpoint, token, file, chunkArg, stopArg] = process.argv.slice(2);
const chunkSize = Number(chunkArg);
const stopAfter = Number(stopArg);
const size = fs.statSync(file).size;

function run(options) {
  return new Promise((resolve, reject) => {
    let upload;
    upload = new tus.Upload(fs.createReadStream(file), {
      endpoint,
      chunkSize,
      uploadSize: size,
      headers: { Authorization: `Bearer ${token}` },
      metadata: { filename: path.basename(file), filetype: "video/webm", title: "From tus-js-client" },
      retryDelays: null,
      onError: reject,
      onSuccess: (payload) => resolve({ upload, last: payload && payload.lastResponse }),
      onAfterResponse: (req, res) => {
        const id = res.getHeader("Parley-Video-Id");
        if (id) upload.videoId = id;
        const url = res.getHeader("Parley-Video-Url");
        if (url) upload.videoUrl = url;
        if (req.getMethod() === "HEAD") upload.resumedFrom = Number(res.getHeader("Upload-Offset"));
      },
      onChunkComplete: (_chunk, sent) => {
        if (options.stopAfter && sent >= options.stopAfter) {
          upload.abort().then(() => resolve({ upload, aborted: true }));
        }
      },
      ...options.extra,
    });
    upload.start();
  });
}

(async () => {
  try {
    let url = null;
    if (stopAfter) {
      const first = await run({ stopAfter });
      url = first.upload.url;
    }
    const second = await run({
      extra: url ? { uploadUrl: url } : {},
    });
    console.log(JSON.stringify({ url: second.upload.url, resumedFrom: second.upload.resumedFrom || 0, videoId: second.upload.videoId || null,
      videoUrl: second.upload.videoUrl || null }));
  } catch (err) {
    console.log(JSON.stringify({ error: String(err) }));
    process.exit(1);
  }
})();
