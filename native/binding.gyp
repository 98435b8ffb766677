# node-gyp build of the libtorch addon. Links Debian's libtorch (/usr) by default, or the libtorch folder
# named by the LIBTORCH environment variable (include/ and lib/ inside, e.g. a CUDA build).
{
  "variables": { "libtorch%": "<!(node -p \"process.env.LIBTORCH || ''\")" },
  "targets": [
    {
      "target_name": "karakuri_torch",
      "sources": ["addon.cc", "handles.cc", "convert.cc", "ops.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "/usr/include/torch/csrc/api/include"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "conditions": [
        ["libtorch==''", {
          "libraries": ["-ltorch", "-ltorch_cpu", "-lc10"]
        }, {
          "include_dirs": ["<(libtorch)/include", "<(libtorch)/include/torch/csrc/api/include"],
          "libraries": ["-L<(libtorch)/lib", "-Wl,-rpath,<(libtorch)/lib", "-ltorch", "-ltorch_cpu", "-lc10"]
        }]
      ]
    }
  ]
}
