# cmake/LlamaCpp.cmake — finds llama.cpp in an installed prefix (include/llama.h, include/mtmd.h,
# lib/libllama.so ...; scripts/setup and bench/gpu.sh assemble one) for the main build and the
# standalone GPU benchmark build (bench/gpu/CMakeLists.txt). libmtmd ships no CMake package, so the
# pieces are found one by one. Defines the interface targets llama_cpp (llama, mtmd, ggml) and
# ggml_gguf (the gguf_* writer API, in ggml-base alone), LLAMA_INCLUDE_DIR, LLAMA_LIB_DIR (also
# the build RPATH) and LLAMA_CPP_VERSION (the prefix's VERSION file, or "unknown").
set(ALTSCRIBE_LLAMA_PREFIX "" CACHE PATH "llama.cpp prefix with include/ and lib/ (scripts/setup sets it)")
find_path(LLAMA_INCLUDE_DIR llama.h HINTS ${ALTSCRIBE_LLAMA_PREFIX}/include REQUIRED NO_DEFAULT_PATH)
find_path(MTMD_INCLUDE_DIR mtmd.h HINTS ${ALTSCRIBE_LLAMA_PREFIX}/include REQUIRED NO_DEFAULT_PATH)
foreach(lib llama mtmd ggml ggml-base)
  string(MAKE_C_IDENTIFIER "${lib}" var)
  find_library(LIB_${var} NAMES ${lib} HINTS ${ALTSCRIBE_LLAMA_PREFIX}/lib ${ALTSCRIBE_LLAMA_PREFIX}/lib64
               REQUIRED NO_DEFAULT_PATH)
endforeach()
add_library(llama_cpp INTERFACE)
target_include_directories(llama_cpp SYSTEM INTERFACE ${LLAMA_INCLUDE_DIR} ${MTMD_INCLUDE_DIR})
target_link_libraries(llama_cpp INTERFACE ${LIB_mtmd} ${LIB_llama} ${LIB_ggml} ${LIB_ggml_base})
add_library(ggml_gguf INTERFACE)
target_include_directories(ggml_gguf SYSTEM INTERFACE ${LLAMA_INCLUDE_DIR})
target_link_libraries(ggml_gguf INTERFACE ${LIB_ggml_base})
get_filename_component(LLAMA_LIB_DIR ${LIB_llama} DIRECTORY)
set(CMAKE_BUILD_RPATH ${LLAMA_LIB_DIR})
set(CMAKE_INSTALL_RPATH ${LLAMA_LIB_DIR})
if(EXISTS ${ALTSCRIBE_LLAMA_PREFIX}/VERSION)
  file(STRINGS ${ALTSCRIBE_LLAMA_PREFIX}/VERSION LLAMA_CPP_VERSION LIMIT_COUNT 1)
endif()
if(NOT LLAMA_CPP_VERSION)
  set(LLAMA_CPP_VERSION "unknown")
endif()
