# Per-target build settings for our own code (never applied to dependencies).

# Warnings as errors on one of our targets.
function(asncounter_enable_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
endfunction()

# The sanitizers chosen with -DASNCOUNTER_SANITIZE=..., on one of our targets.
function(asncounter_enable_sanitizers target)
  if(ASNCOUNTER_SANITIZE)
    target_compile_options(${target} PRIVATE
      -fsanitize=${ASNCOUNTER_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${ASNCOUNTER_SANITIZE})
  endif()
endfunction()

# Both of the above: what every target of ours gets.
function(asncounter_target target)
  asncounter_enable_warnings(${target})
  asncounter_enable_sanitizers(${target})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
