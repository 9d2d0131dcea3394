# check_figure_page(<page.html> <error variable>): sets the variable to ""
# when <page.html> is the page every figure example writes (a plotly.js
# figure of the statistic examples/README.md defines), else to what is wrong.
function(check_figure_page page error_variable)
  if(NOT EXISTS "${page}")
    set(${error_variable} "${page} was not written" PARENT_SCOPE)
    return()
  endif()
  file(READ "${page}" html)
  # The plotly.js call, a token, the colour bar's title (name and units),
  # and a hover table entry formatted as "96.80%".
  foreach(expected IN ITEMS "Plotly.newPlot(" "\"Eiffel\"" "\"Entropy (nats)\"" " 96.80%\"")
    string(FIND "${html}" "${expected}" at)
    if(at EQUAL -1)
      set(${error_variable} "${page} does not contain ${expected}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(${error_variable} "" PARENT_SCOPE)
endfunction()
