# Per-target build settings for our own code (never applied to dependencies).

# Warnings as errors on one of our targets.
function(asncounter_enable_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
  # g++ 12 at -O2 reports std::variant/std::string internals it inlined as
  # out-of-bounds or freeing non-heap memory (GCC PRs 105562, 106199...):
  # false positives that ASan, run in CI, would catch if they were real.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE
      -Wno-array-bounds -Wno-free-nonheap-object -Wno-stringop-overflow -Wno-maybe-uninitialized
      -Wno-restrict)
  endif()
endfunction()

# The sanitizers chosen with -DASNCOUNTER_SANITIZE=..., on one of our targets.
function(asncounter_enable_sanitizers target)
  if(ASNCOUNTER_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=${ASNCOUNTER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${ASNCOUNTER_SANITIZE})
    if(ASNCOUNTER_SANITIZE MATCHES "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # Asio's std::atomic_thread_fence makes g++ 12 warn that TSan cannot
      # see fences; the fences are not what our TSan runs check.
      target_compile_options(${target} PRIVATE -Wno-tsan)
    endif()
  endif()
endfunction()

# Both of the above: what every target of ours gets.
function(asncounter_target target)
  asncounter_enable_warnings(${target})
  asncounter_enable_sanitizers(${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
