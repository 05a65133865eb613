package web

// MoneyAllForTest lets the black-box tests check the KPI's wording.
var MoneyAllForTest = moneyAll

// LoggedPath lets the tests check what the log keeps of a path.
var LoggedPath = loggedPath
